import Foundation

/// A decoder that predicts the next token (GPT-2, LLaMA, BLOOM); scoring and the evaluation tasks
/// need only this.
public protocol CausalLanguageModel: Sendable {
    /// Longest input the model accepts.
    var maxPositions: Int { get }
    /// Vocabulary size (number of logits per token).
    var vocabularySize: Int { get }
    /// Next-token logits, one (T, V) matrix per sequence; right padding is dropped.
    func logits(_ sequences: [[Int32]], masks: [[Int32]]?) throws(ModelError) -> [Matrix]
    /// Final hidden states (after the last norm), one (T, C) matrix per sequence.
    func hiddenStates(_ sequences: [[Int32]], masks: [[Int32]]?) throws(ModelError) -> [Matrix]
    /// Log-probability of each token given the ones before it: element `t` is
    /// `log p(tokens[t + 1] | tokens[...t])`, so there are `tokens.count - 1` of them.
    func tokenLogProbabilities(_ tokens: [Int32]) throws(ModelError) -> [Float]
}

extension CausalLanguageModel {
    /// Log-probabilities of `continuation`'s tokens following `context` (per continuation token).
    public func continuationLogProbabilities(context: [Int32], continuation: [Int32]) throws(ModelError) -> [Float] {
        let all = try tokenLogProbabilities(context + continuation)
        return Array(all.suffix(continuation.count))
    }
}
