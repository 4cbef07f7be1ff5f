public import Inference

/// What a checkpoint can be asked to do; tasks declare which of these they need.
public enum Architecture: String, Hashable, Sendable, Codable, CaseIterable {
    /// Next-token prediction (GPT-2, LLaMA, BLOOM).
    case causalLM = "causal_lm"
    /// Masked-token prediction (BERT with its `cls.predictions` head).
    case maskedLM = "masked_lm"
    /// Sentence embeddings from pooled hidden states (any encoder; sentence-transformers checkpoints).
    case encoder

    /// The capabilities of a loaded checkpoint.
    public static func of(_ checkpoint: Checkpoint) -> Set<Architecture> {
        switch checkpoint.model {
        case .gpt2, .llama, .bloom: [.causalLM]
        case let .bert(bert): bert.hasMaskedLMHead ? [.maskedLM, .encoder] : [.encoder]
        }
    }
}
