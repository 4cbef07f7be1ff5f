/// A loaded model of one of the supported architectures.
public enum LanguageModel: Sendable {
    case bert(BERT)
    case gpt2(GPT2)
    case llama(Llama)
    case bloom(Bloom)

    /// `model_type` → loader, as in mlx's `LLMTypeRegistry`; add an architecture here.
    static let registry: [String: @Sendable (String) throws -> LanguageModel] = [
        "bert": { .bert(try BERT(directory: $0)) },
        "gpt2": { .gpt2(try GPT2(directory: $0)) },
        "llama": { .llama(try Llama(directory: $0)) },
        "bloom": { .bloom(try Bloom(directory: $0)) },
    ]

    /// GGUF `general.architecture` → loader; llama.cpp files of these architectures use LLaMA's tensor layout.
    static let ggufRegistry: [String: @Sendable (GGUFFile) throws -> LanguageModel] = [
        "llama": { .llama(try Llama(gguf: $0)) }
    ]

    /// Loads the architecture named by the directory's `config.json` `model_type`.
    /// - Throws: ``ModelError/Code/unsupportedModelType`` for an unknown `model_type`.
    public init(directory: String) throws {
        let type = try ModelConfiguration.modelType(directory: directory)
        guard let load = Self.registry[type] else {
            throw ModelError(
                .unsupportedModelType,
                "\(directory)/config.json: model_type '\(type)' is not supported (supported: \(Self.registry.keys.sorted().joined(separator: ", ")))")
        }
        self = try load(directory)
    }

    /// Loads the architecture named by a GGUF file's `general.architecture`.
    public init(gguf file: GGUFFile) throws {
        let architecture = try file.string("general.architecture")
        guard let load = Self.ggufRegistry[architecture] else {
            throw ModelError(
                .unsupportedModelType,
                "\(file.path): general.architecture '\(architecture)' is not supported (supported: \(Self.ggufRegistry.keys.sorted().joined(separator: ", ")))"
            )
        }
        self = try load(file)
    }

    /// The model as a next-token predictor, or nil for encoders.
    public var causal: (any CausalLanguageModel)? {
        switch self {
        case .bert: nil
        case let .gpt2(m): m
        case let .llama(m): m
        case let .bloom(m): m
        }
    }

    /// Longest input in tokens.
    public var maxPositions: Int {
        switch self {
        case let .bert(m): m.maxPositions
        case let .gpt2(m): m.maxPositions
        case let .llama(m): m.maxPositions
        case let .bloom(m): m.maxPositions
        }
    }

    /// Last hidden states per sequence.
    public func hiddenStates(_ sequences: [[Int32]], masks: [[Int32]]? = nil) throws(ModelError) -> [Matrix] {
        switch self {
        case let .bert(m): try m.hiddenStates(sequences, masks: masks)
        case let .gpt2(m): try m.hiddenStates(sequences, masks: masks)
        case let .llama(m): try m.hiddenStates(sequences, masks: masks)
        case let .bloom(m): try m.hiddenStates(sequences, masks: masks)
        }
    }
}
