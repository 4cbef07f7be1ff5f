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
        forward(
            qkv: qkv, layout: Layout(heads: NH, keyValueHeads: NH, headSize: qkv.cols / 3 / NH), sequences: sequences, causal: causal,
            keyMask: keyMask)
    }

    /// Where each head's query, key and value columns sit in a row of the fused projection: all query heads,
    /// then all key heads, then all value heads. With fewer key/value heads than query heads (grouped-query
    /// attention), consecutive query heads share one key/value head, as transformers' `repeat_kv` does.
    struct Layout: Sendable {
        let heads: Int
        let keyValueHeads: Int
        let headSize: Int
        var rowWidth: Int { (heads + 2 * keyValueHeads) * headSize }
        var outputWidth: Int { heads * headSize }
        func queryOffset(_ h: Int) -> Int { h * headSize }
        func keyOffset(_ h: Int) -> Int { (heads + h / (heads / keyValueHeads)) * headSize }
        func valueOffset(_ h: Int) -> Int { (heads + keyValueHeads + h / (heads / keyValueHeads)) * headSize }
    }

    /// - Parameters:
    ///   - qkv: (N, layout.rowWidth) rows of fused projections.
    ///   - slopes: per query head, ALiBi's slope: `slope × key position` is added to every score (BLOOM).
    /// - Returns: (N, heads × headSize).
    static func forward(
        qkv: Matrix, layout: Layout, sequences: [Range<Int>], causal: Bool, keyMask: [Bool]?, slopes: [Float]? = nil
    ) -> Matrix {
        precondition(qkv.cols == layout.rowWidth && layout.heads % layout.keyValueHeads == 0, "attention layout does not fit")
        let NH = layout.heads
        let scale = 1 / Float(layout.headSize).squareRoot()
        var out = Matrix(uninitializedRows: qkv.rows, cols: layout.outputWidth)
        let tasks = sequences.filter { !$0.isEmpty }
        qkv.storage.withUnsafeBufferPointer { qkvBuffer in
            out.storage.withUnsafeMutableBufferPointer { outBuffer in
                guard let qkvBase = qkvBuffer.baseAddress, let outBase = outBuffer.baseAddress else { return }
                let input = Parallel.SharedReadPointer(base: qkvBase)
                let output = Parallel.SharedPointer(base: outBase)
                // Tasks are (sequence, head, block of query rows): more tasks than workers keeps both cores busy when
                // the head count is odd, and a causal block only needs the keys up to its last row.
                let blocks = tasks.flatMap { range in
                    stride(from: 0, to: range.count, by: Self.queryBlock).map { (range, $0..<min($0 + Self.queryBlock, range.count)) }
                }
                // Head-major order: workers take contiguous runs of tasks, and every head holds cheap and dear blocks alike.
                Parallel.forEach(blocks.count * NH) { task in
                    let ((range, rows), h) = (blocks[task % blocks.count], task / blocks.count)
                    let row = input.base + range.lowerBound * layout.rowWidth
                    head(
                        q: row + layout.queryOffset(h), k: row + layout.keyOffset(h), v: row + layout.valueOffset(h), stride: layout.rowWidth,
                        out: output.base + range.lowerBound * layout.outputWidth + h * layout.headSize, outStride: layout.outputWidth,
                        T: range.count, rows: rows, d: layout.headSize, scale: scale, causal: causal, keyMask: keyMask,
                        offset: range.lowerBound, slope: slopes?[h])
                }
            }
        }
        return out
    }

    /// Query rows per attention task. A fixed number, never the worker count, so results do not depend on threads.
    static let queryBlock = 64

    /// One head of one sequence for the query `rows`: scores and weighted values are two single-threaded GEMMs
    /// (blocks, heads and sequences are what run in parallel), with the softmax between them. A causal block
    /// stops at the keys its last row may see, which halves attention's work on long sequences.
    private static func head(
        q: UnsafePointer<Float>, k: UnsafePointer<Float>, v: UnsafePointer<Float>, stride: Int, out: UnsafeMutablePointer<Float>,
        outStride: Int, T: Int, rows: Range<Int>, d: Int, scale: Float, causal: Bool, keyMask: [Bool]?, offset: Int, slope: Float?
    ) {
        let keys = causal ? rows.upperBound : T
        let scores = UnsafeMutablePointer<Float>.allocate(capacity: rows.count * keys)
        defer { scores.deallocate() }
        BLAS.sgemm(
            transposeB: true, m: rows.count, n: keys, k: d, alpha: scale, a: q + rows.lowerBound * stride, lda: stride, b: k, ldb: stride,
            c: scores, ldc: keys)
        for (r, i) in rows.enumerated() {
            let row = scores + r * keys
            let visible = causal ? i + 1 : T
            if let slope {
                for j in 0..<visible { row[j] += slope * Float(j) }
            }
            if let keyMask {
                for j in 0..<visible where !keyMask[offset + j] { row[j] += -Float.greatestFiniteMagnitude }
            }
            softmax(row, count: visible)
            for j in visible..<keys { row[j] = 0 }
        }
        BLAS.sgemm(
            m: rows.count, n: d, k: keys, a: scores, lda: keys, b: v, ldb: stride, c: out + rows.lowerBound * outStride, ldc: outStride)
    }

    /// In-place softmax of `count` scores; lanes past `count` are ignored. Maximum, sum and scaling run eight lanes
    /// at a time and reduce across lanes once per row.
    @inline(__always)
    private static func softmax(_ s: UnsafeMutablePointer<Float>, count: Int) {
        typealias Lanes = SIMD8<Float>
        let raw = UnsafeMutableRawPointer(s)
        let full = count / 8 * 8
        let peak = VectorMath.maximum(s, count: count)
        var sums = Lanes(repeating: 0)
        for j in stride(from: 0, to: full, by: 8) {
            let e = VectorMath.exp(raw.loadUnaligned(fromByteOffset: j * 4, as: Lanes.self) - peak)
            raw.storeBytes(of: e, toByteOffset: j * 4, as: Lanes.self)
            sums += e
        }
        var sum = sums.sum()
        for j in full..<count {
            s[j] = expf(s[j] - peak)
            sum += s[j]
        }
        let inverse = 1 / sum
        VectorMath.transform(s, count: count) { $0 * inverse }
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
                            dot +=
                                qkv.storage[(range.lowerBound + i) * 3 * C + h * d + c] * qkv.storage[(range.lowerBound + j) * 3 * C + C + h * d + c]
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
