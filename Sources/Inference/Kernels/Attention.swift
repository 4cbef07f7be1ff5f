import Foundation

/// Multi-head scaled dot-product attention over packed sequences.
///
/// Sequences of different lengths sit one after another in the rows of `qkv`, so the dense layers
/// around attention never see padding; attention itself runs per sequence and head, so no token can
/// see another sequence's tokens. Its FLOPs are a few percent of a layer's at these lengths, so it
/// uses SIMD loops spread over the cores rather than many tiny BLAS calls.
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
        var out = Matrix(uninitializedRows: qkv.rows, cols: C)
        let tasks = sequences.filter { !$0.isEmpty }
        qkv.storage.withUnsafeBufferPointer { qkvBuffer in
            out.storage.withUnsafeMutableBufferPointer { outBuffer in
                guard let qkvBase = qkvBuffer.baseAddress, let outBase = outBuffer.baseAddress else { return }
                let input = Parallel.SharedReadPointer(base: qkvBase)
                let output = Parallel.SharedPointer(base: outBase)
                Parallel.forEach(tasks.count * NH) { task in
                    let range = tasks[task / NH]
                    let h = task % NH
                    let T = range.count
                    var scores = [Float](repeating: 0, count: T)
                    scores.withUnsafeMutableBufferPointer { s in
                        for i in 0..<T {
                            let q = input.base + (range.lowerBound + i) * 3 * C + h * d
                            let visible = causal ? i + 1 : T
                            for j in 0..<visible {
                                s[j] = dot(q, input.base + (range.lowerBound + j) * 3 * C + C + h * d, d) * scale
                            }
                            for j in visible..<T { s[j] = 0 }
                            let row = UnsafeMutableBufferPointer(rebasing: s[0..<visible])
                            maskAndSoftmax(row, query: i, causal: false, keyMask: keyMask, offset: range.lowerBound)
                            let o = output.base + (range.lowerBound + i) * C + h * d
                            for c in 0..<d { o[c] = 0 }
                            for j in 0..<visible {
                                accumulate(o, s[j], input.base + (range.lowerBound + j) * 3 * C + 2 * C + h * d, d)
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Float {
        let (ra, rb) = (UnsafeRawPointer(a), UnsafeRawPointer(b))
        var acc = SIMD8<Float>(repeating: 0)
        var c = 0
        while c + 8 <= n {
            acc += ra.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self) * rb.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            c += 8
        }
        var sum = acc.sum()
        while c < n {
            sum += a[c] * b[c]
            c += 1
        }
        return sum
    }

    /// `o += p · v` over `n` elements.
    @inline(__always)
    private static func accumulate(_ o: UnsafeMutablePointer<Float>, _ p: Float, _ v: UnsafePointer<Float>, _ n: Int) {
        let (ro, rv) = (UnsafeMutableRawPointer(o), UnsafeRawPointer(v))
        var c = 0
        while c + 8 <= n {
            let y = ro.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self) + p * rv.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            ro.storeBytes(of: y, toByteOffset: c * 4, as: SIMD8<Float>.self)
            c += 8
        }
        while c < n {
            o[c] += p * v[c]
            c += 1
        }
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

    /// The same attention by plain loops and BLAS-free arithmetic, for tests.
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
