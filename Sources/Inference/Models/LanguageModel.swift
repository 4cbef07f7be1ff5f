/// A loaded model of one of the supported architectures.
public enum LanguageModel: Sendable {
    case bert(BERT)
    case gpt2(GPT2)

    /// `model_type` → loader, as in mlx's `LLMTypeRegistry`; add an architecture here.
    static let registry: [String: @Sendable (String) throws -> LanguageModel] = [
        "bert": { .bert(try BERT(directory: $0)) },
        "gpt2": { .gpt2(try GPT2(directory: $0)) },
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

    /// Longest input in tokens.
    public var maxPositions: Int {
        switch self {
        case let .bert(m): m.maxPositions
        case let .gpt2(m): m.maxPositions
        }
    }

    /// Last hidden states per sequence.
    public func hiddenStates(_ sequences: [[Int32]], masks: [[Int32]]? = nil) throws(ModelError) -> [Matrix] {
        switch self {
        case let .bert(m): try m.hiddenStates(sequences, masks: masks)
        case let .gpt2(m): try m.hiddenStates(sequences, masks: masks)
        }
    }
}
