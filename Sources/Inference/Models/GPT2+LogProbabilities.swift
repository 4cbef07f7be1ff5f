import Foundation

extension GPT2 {
    /// Log-probability of each token given the ones before it: element `t` is
    /// `log p(tokens[t + 1] | tokens[...t])`, so there are `tokens.count - 1` of them.
    public func tokenLogProbabilities(_ tokens: [Int32]) throws(ModelError) -> [Float] {
        guard tokens.count > 1 else { return [] }
        let logits = try self.logits([tokens])[0]   // (T, V)
        let V = logits.cols
        return (0..<(tokens.count - 1)).map { t in
            let row = logits.storage[(t * V)..<((t + 1) * V)]
            let peak = row.max() ?? 0
            let logSum = Double(peak) + log(row.reduce(0.0) { $0 + exp(Double($1 - peak)) })
            return Float(Double(row[row.startIndex + Int(tokens[t + 1])]) - logSum)
        }
    }

    /// Log-probabilities of `continuation`'s tokens following `context` (per continuation token).
    public func continuationLogProbabilities(context: [Int32], continuation: [Int32]) throws(ModelError) -> [Float] {
        let all = try tokenLogProbabilities(context + continuation)
        return Array(all.suffix(continuation.count))
    }
}
