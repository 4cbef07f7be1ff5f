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
}

extension CausalLanguageModel {
    /// Log-probability of each token given the ones before it: element `t` is
    /// `log p(tokens[t + 1] | tokens[...t])`, so there are `tokens.count - 1` of them.
    public func tokenLogProbabilities(_ tokens: [Int32]) throws(ModelError) -> [Float] {
        guard tokens.count > 1 else { return [] }
        let logits = try self.logits([tokens], masks: nil)[0]  // (T, V)
        let V = logits.cols
        var result = [Float](repeating: 0, count: tokens.count - 1)
        logits.storage.withUnsafeBufferPointer { buffer in
            result.withUnsafeMutableBufferPointer { out in
                guard let base = buffer.baseAddress, let outBase = out.baseAddress else { return }
                let (rows, output) = (Parallel.SharedReadPointer(base: base), Parallel.SharedPointer(base: outBase))
                Parallel.forEachChunk(tokens.count - 1, minimumChunk: 16) { range in
                    for t in range {
                        let row = rows.base + t * V
                        output.base[t] = row[Int(tokens[t + 1])] - Self.logSumExp(row, V)
                    }
                }
            }
        }
        return result
    }

    /// `log Σ exp(row)`, eight lanes at a time, shifted by the maximum so nothing overflows.
    private static func logSumExp(_ row: UnsafePointer<Float>, _ count: Int) -> Float {
        var peak = -Float.infinity
        for v in 0..<count { peak = max(peak, row[v]) }
        let raw = UnsafeRawPointer(row)
        var lanes = SIMD8<Float>(repeating: 0)
        var v = 0
        while v + 8 <= count {
            lanes += VectorMath.exp(raw.loadUnaligned(fromByteOffset: v * 4, as: SIMD8<Float>.self) - peak)
            v += 8
        }
        var sum = Double(lanes.sum())
        while v < count {
            sum += Double(expf(row[v] - peak))
            v += 1
        }
        return peak + Float(log(sum))
    }

    /// Log-probabilities of `continuation`'s tokens following `context` (per continuation token).
    public func continuationLogProbabilities(context: [Int32], continuation: [Int32]) throws(ModelError) -> [Float] {
        let all = try tokenLogProbabilities(context + continuation)
        return Array(all.suffix(continuation.count))
    }
}
