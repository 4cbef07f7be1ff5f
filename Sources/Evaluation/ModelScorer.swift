import Foundation
import Inference

/// The per-sequence questions tasks ask a checkpoint. Every sequence is its own forward pass, so a number never
/// depends on which other items shared a batch (packed batches change BLAS blocking and with it the last bits).
struct ModelScorer: Sendable {
    let checkpoint: Checkpoint
    /// Tokens through the model so far (for throughput and the reproducibility record).
    private(set) var tokensProcessed = 0

    init(_ checkpoint: Checkpoint) { self.checkpoint = checkpoint }

    var tokenizer: Tokenizer { checkpoint.tokenizer }
    var maxPositions: Int { checkpoint.model.maxPositions }

    /// The token a causal LM reads before a document so that its first token is predicted too, as
    /// lm-evaluation-harness prepends the end-of-text token; nil if the vocabulary has none.
    var documentPrefix: Int32? {
        for name in ["<|endoftext|>", "<s>", "<bos>", "<|begin_of_text|>"] {
            if let id = tokenizer.id(of: name) { return Int32(id) }
        }
        return nil
    }

    /// Causal LM: element t is log p(tokens[t + 1] | tokens[...t]).
    mutating func causalLogProbabilities(_ tokens: [Int32]) throws -> [Double] {
        guard let model = checkpoint.model.causal else { throw EvaluationError("this checkpoint is not a causal language model") }
        guard tokens.count <= maxPositions else {
            throw EvaluationError("a sequence of \(tokens.count) tokens is longer than the model's context (\(maxPositions))")
        }
        tokensProcessed += tokens.count
        return try model.tokenLogProbabilities(tokens).map(Double.init)
    }

    /// Masked LM: log-softmax over the vocabulary at each of `positions` (one forward pass of `tokens`).
    mutating func maskedLogDistributions(_ tokens: [Int32], at positions: [Int]) throws -> [[Double]] {
        guard case let .bert(model) = checkpoint.model, model.hasMaskedLMHead else {
            throw EvaluationError("this checkpoint has no masked-LM head")
        }
        guard tokens.count <= maxPositions else {
            throw EvaluationError("a sequence of \(tokens.count) tokens is longer than the model's context (\(maxPositions))")
        }
        tokensProcessed += tokens.count
        let logits = try model.maskedLMLogits([tokens])[0]
        return positions.map { Self.logSoftmax(logits.row($0)) }
    }

    /// Sentence embedding of one text, pooled as the checkpoint says.
    mutating func embedding(_ text: String) throws -> [Float] {
        let result = try checkpoint.embed([text])
        tokensProcessed += result.tokenCounts[0]
        return result.vectors[0]
    }

    /// `row − log Σ exp(row)`, in double precision.
    static func logSoftmax(_ row: [Float]) -> [Double] {
        let peak = Double(row.max() ?? 0)
        var sum = 0.0
        for v in row { sum += exp(Double(v) - peak) }
        let shift = peak + log(sum)
        return row.map { Double($0) - shift }
    }
}
