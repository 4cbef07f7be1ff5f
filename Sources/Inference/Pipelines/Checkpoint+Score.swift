import Foundation

extension Checkpoint {
    /// How well a causal language model predicts a text.
    public struct Score: Sendable, Codable, Equatable {
        /// Tokens in the text.
        public let tokenCount: Int
        /// Tokens that were predicted (the first token of each context window has no prediction).
        public let predictedCount: Int
        /// Mean negative log-likelihood per predicted token, in nats.
        public let meanNLL: Double
        /// `exp(meanNLL)`.
        public let perplexity: Double
        /// Total negative log-likelihood in bits divided by the text's UTF-8 bytes.
        public let bitsPerByte: Double
        /// Context windows the text was cut into (more than 1 when it is longer than the context).
        public let windowCount: Int
    }

    /// Scores a text with a causal language model, cutting it into consecutive windows of `window` tokens
    /// (default and at most: the model's context), each scored on its own as transformers' loss does.
    /// - Throws: ``ModelError/Code/missingHead`` for models without a causal LM head,
    ///   ``ModelError/Code/invalidConfiguration`` for a window shorter than 2 tokens.
    public func score(_ text: String, window requested: Int? = nil) throws(ModelError) -> Score {
        guard let causal = model.causal else {
            throw ModelError(.missingHead, "\(directory): scoring needs a causal language model (gpt2, llama, bloom), not an encoder")
        }
        let ids = tokenizer.encode(text, addSpecialTokens: false).ids
        if let requested, requested < 2 {
            throw ModelError(.invalidConfiguration, "a scoring window must hold at least 2 tokens, not \(requested)")
        }
        let window = min(requested ?? causal.maxPositions, causal.maxPositions)
        let windows = stride(from: 0, to: ids.count, by: window).map { Array(ids[$0..<min($0 + window, ids.count)]) }
        var totalNLL = 0.0
        var predicted = 0
        for chunk in windows where chunk.count > 1 {
            let logProbs = try causal.tokenLogProbabilities(chunk)
            totalNLL -= logProbs.reduce(0) { $0 + Double($1) }
            predicted += logProbs.count
        }
        let mean = predicted > 0 ? totalNLL / Double(predicted) : 0
        let bytes = max(1, text.utf8.count)
        return Score(
            tokenCount: ids.count, predictedCount: predicted, meanNLL: mean, perplexity: exp(mean),
            bitsPerByte: totalNLL / log(2.0) / Double(bytes), windowCount: windows.count)
    }
}
