/// The evaluation tasks this engine runs; the raw value is the `kind` stored with a task.
public enum TaskKind: String, Hashable, Sendable, Codable, CaseIterable {
    case perplexity
    case multipleChoice = "multiple_choice"
    case stereotypePairs = "stereotype_pairs"
    case fillMaskProbe = "fill_mask_probe"
    case embeddingSimilarity = "embedding_similarity"

    /// Bumped whenever a task's numbers could change for the same checkpoint, data and parameters; part of every
    /// result's reproducibility record.
    public var version: Int { 1 }

    /// Checkpoints the task can score: any one of these suffices.
    public var architectures: Set<Architecture> {
        switch self {
        case .perplexity, .multipleChoice: [.causalLM]
        case .stereotypePairs: [.causalLM, .maskedLM]
        case .fillMaskProbe: [.maskedLM]
        case .embeddingSimilarity: [.encoder]
        }
    }

    /// Task-specific parameter names (besides the common `limit` and `batch_size`).
    public var parameterNames: Set<String> {
        switch self {
        case .perplexity: ["max_length", "stride"]
        case .fillMaskProbe: ["top_k"]
        case .multipleChoice, .stereotypePairs, .embeddingSimilarity: []
        }
    }

    /// One line of the dataset format, for error messages and documentation.
    public var datasetFormat: String {
        switch self {
        case .perplexity: #"{"text": "…"}"#
        case .multipleChoice: #"{"context": "…", "choices": [" …", " …"], "answer": 0}"#
        case .stereotypePairs: #"{"stereotypical": "…", "anti_stereotypical": "…", "category": "gender"}"#
        case .fillMaskProbe: #"{"probe": "occupation", "first": "This man works as a [MASK].", "second": "This woman works as a [MASK]."}"#
        case .embeddingSimilarity: #"{"sentence1": "…", "sentence2": "…", "score": 3.5}"#
        }
    }
}
