import Foundation

/// Log-probabilities of given next tokens straight from the final hidden states: the language-model head's GEMM
/// runs over fixed blocks of the vocabulary, each block's logits are reduced to a running maximum and sum of
/// exponentials per row and then dropped, so the (T, V) logits — 100 MB for a 512-token window over 49,152 tokens —
/// are never written out and read back.
enum HeadLogProbabilities {
    /// Vocabulary entries per block: a (512, 4096) block of logits stays in cache. Fixed, so results never depend on
    /// the worker count.
    static let block = 4096

    /// - Parameters:
    ///   - hidden: (T, C) final hidden states.
    ///   - head: (V, C) head weights, `nn.Linear` layout.
    ///   - targets: for each of the first `targets.count` rows, the token whose log-probability is wanted.
    static func compute(hidden: Matrix, head: WeightMatrix, targets: [Int]) -> [Float] {
        let (T, C, V) = (targets.count, hidden.cols, head.rows)
        precondition(T <= hidden.rows && head.cols == C, "head does not fit the hidden states")
        guard T > 0 else { return [] }
        let blocks = (V + block - 1) / block
        // Per block and row: the block's maximum logit and Σ exp(logit − maximum); combined in block order below.
        var peaks = [Float](repeating: 0, count: blocks * T)
        var sums = [Double](repeating: 0, count: blocks * T)
        var picked = [Float](repeating: 0, count: T)
        hidden.storage.withUnsafeBufferPointer { h in
            head.withUnsafeBufferPointer { w in
                peaks.withUnsafeMutableBufferPointer { p in
                    sums.withUnsafeMutableBufferPointer { s in
                        picked.withUnsafeMutableBufferPointer { t in
                            guard let hBase = h.baseAddress, let wBase = w.baseAddress, let pBase = p.baseAddress, let sBase = s.baseAddress,
                                let tBase = t.baseAddress
                            else { return }
                            let (H, W) = (Parallel.SharedReadPointer(base: hBase), Parallel.SharedReadPointer(base: wBase))
                            let (P, S, picks) = (
                                Parallel.SharedPointer(base: pBase), Parallel.SharedPointer(base: sBase), Parallel.SharedPointer(base: tBase)
                            )
                            Parallel.forEachChunk(blocks, minimumChunk: 1) { range in
                                let logits = UnsafeMutablePointer<Float>.allocate(capacity: T * block)
                                defer { logits.deallocate() }
                                for b in range {
                                    let (start, width) = (b * block, min(block, V - b * block))
                                    BLAS.sgemm(
                                        transposeB: true, m: T, n: width, k: C, a: H.base, lda: C, b: W.base + start * C, ldb: C, c: logits,
                                        ldc: width)
                                    for r in 0..<T {
                                        let row = logits + r * width
                                        let (peak, sum) = Self.reduce(row, width)
                                        P.base[b * T + r] = peak
                                        S.base[b * T + r] = sum
                                        let target = targets[r] - start
                                        // Each target lies in exactly one block, so this write has one writer.
                                        if target >= 0 && target < width { picks.base[r] = row[target] }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return (0..<T).map { r in
            var peak = -Float.infinity
            for b in 0..<blocks { peak = max(peak, peaks[b * T + r]) }
            var sum = 0.0
            for b in 0..<blocks { sum += sums[b * T + r] * exp(Double(peaks[b * T + r] - peak)) }
            return picked[r] - (peak + Float(log(sum)))
        }
    }

    /// A row's maximum and Σ exp(x − maximum), eight lanes at a time.
    private static func reduce(_ row: UnsafePointer<Float>, _ count: Int) -> (Float, Double) {
        let peak = VectorMath.maximum(row, count: count)
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
        return (peak, sum)
    }
}
