import Foundation

/// Multi-head scaled dot-product attention over packed sequences.
///
/// Sequences of different lengths sit one after another in the rows of `qkv`, so the dense layers
/// around attention never see padding; attention itself runs per sequence, so no token can see
/// another sequence's tokens.
enum Attention {
    /// - Parameters:
    ///   - qkv: (N, 3C) rows holding query | key | value for every token.
    ///   - sequences: row ranges of each sequence in `qkv`.
    ///   - heads: number of heads `NH`; `C` must be divisible by it.
    ///   - causal: whether a token may only attend to itself and earlier tokens.
    ///   - keyMask: per row, whether that token may be attended to (padding → false); `nil` = all.
    /// - Returns: (N, C) attention output before the output projection.
    static func forward(qkv: Matrix, sequences: [Range<Int>], heads NH: Int, causal: Bool, keyMask: [Bool]?) -> Matrix {
        let C = qkv.cols / 3
        let d = C / NH
        let scale = 1 / Float(d).squareRoot()
        var out = Matrix(rows: qkv.rows, cols: C)
        let longest = sequences.map(\.count).max() ?? 0
        var scores = [Float](repeating: 0, count: longest * longest)
        qkv.storage.withUnsafeBufferPointer { qkvBuffer in
            out.storage.withUnsafeMutableBufferPointer { outBuffer in
                scores.withUnsafeMutableBufferPointer { s in
                    guard let base = qkvBuffer.baseAddress, let outBase = outBuffer.baseAddress, let sBase = s.baseAddress else { return }
                    for range in sequences where !range.isEmpty {
                        let T = range.count
                        let rowBase = base + range.lowerBound * 3 * C
                        for h in 0..<NH {
                            let q = rowBase + h * d
                            let k = rowBase + C + h * d
                            let v = rowBase + 2 * C + h * d
                            BLAS.sgemm(
                                transposeB: true, m: T, n: T, k: d, alpha: scale, a: q, lda: 3 * C, b: k, ldb: 3 * C, c: sBase, ldc: T)
                            for i in 0..<T {
                                let row = UnsafeMutableBufferPointer(rebasing: s[(i * T)..<((i + 1) * T)])
                                maskAndSoftmax(row, query: i, causal: causal, keyMask: keyMask, offset: range.lowerBound)
                            }
                            BLAS.sgemm(
                                m: T, n: d, k: T, a: sBase, lda: T, b: v, ldb: 3 * C,
                                c: outBase + range.lowerBound * C + h * d, ldc: C)
                        }
                    }
                }
            }
        }
        return out
    }

    /// Adds Hugging Face's additive mask (the most negative finite float, so a fully masked row still
    /// softmaxes to uniform weights as in transformers) and normalises in place.
    @inline(__always)
    static func maskAndSoftmax(_ row: UnsafeMutableBufferPointer<Float>, query i: Int, causal: Bool, keyMask: [Bool]?, offset: Int) {
        let T = row.count
        if let keyMask {
            for j in 0..<T where !keyMask[offset + j] { row[j] += -Float.greatestFiniteMagnitude }
        }
        if causal {
            for j in (i + 1)..<max(i + 1, T) { row[j] = -Float.infinity }
        }
        var peak = -Float.infinity
        for j in 0..<T { peak = max(peak, row[j]) }
        var sum: Float = 0
        for j in 0..<T {
            let e = expf(row[j] - peak)
            row[j] = e
            sum += e
        }
        let inverse = 1 / sum
        for j in 0..<T { row[j] *= inverse }
    }

    /// The same attention by plain loops, for tests.
    static func forwardNaive(qkv: Matrix, sequences: [Range<Int>], heads NH: Int, causal: Bool, keyMask: [Bool]?) -> Matrix {
        let C = qkv.cols / 3
        let d = C / NH
        var out = Matrix(rows: qkv.rows, cols: C)
        for range in sequences {
            let T = range.count
            for h in 0..<NH {
                for i in 0..<T {
                    var row = [Float](repeating: 0, count: T)
                    for j in 0..<T {
                        var dot: Float = 0
                        for c in 0..<d {
                            dot += qkv.storage[(range.lowerBound + i) * 3 * C + h * d + c] * qkv.storage[(range.lowerBound + j) * 3 * C + C + h * d + c]
                        }
                        row[j] = dot / Float(d).squareRoot()
                    }
                    row.withUnsafeMutableBufferPointer { maskAndSoftmax($0, query: i, causal: causal, keyMask: keyMask, offset: range.lowerBound) }
                    for c in 0..<d {
                        var sum: Float = 0
                        for j in 0..<T { sum += row[j] * qkv.storage[(range.lowerBound + j) * 3 * C + 2 * C + h * d + c] }
                        out.storage[(range.lowerBound + i) * C + h * d + c] = sum
                    }
                }
            }
        }
        return out
    }
}
