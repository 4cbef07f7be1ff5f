import Foundation

#if canImport(CBLAS)
    import CBLAS
#endif

/// `x · wᵀ` for a handful of rows (a short sentence) with `w` stored (out, in): one pass over the weights,
/// each weight row read once and multiplied into every input row while it is in cache.
///
/// With so few rows a BLAS call spends most of its time copying (packing) the weights into its blocked layout
/// — two fifths of a 14-token MiniLM forward — although every weight is used only a dozen times. Here each
/// output element is one dot product in a fixed order, whichever worker computes it, so results do not depend
/// on the thread count.
enum SkinnyMatMul {
    /// Largest row count this path takes; above it BLAS's packing pays for itself. None where OpenBLAS's unpacked
    /// small-matrix kernels are faster (``BLASKernels/prefersOpenBLASForShortProducts(core:intel:)``).
    /// `CONSORTIUM_SKINNY_ROWS` overrides it; 0 turns the path off.
    static let maximumRows =
        ProcessInfo.processInfo.environment["CONSORTIUM_SKINNY_ROWS"].flatMap { Int($0) }
        ?? (BLASKernels.prefersOpenBLASForShortProducts(core: BLASKernels.coreName, intel: BLASKernels.isIntel) ? 0 : 16)

    private typealias Lanes = SIMD8<Float>

    /// `y[r, o] = start[r, o] + bias[o] + Σₖ x[r, k]·w[o, k]`, where `start` is `y`'s existing contents when
    /// `accumulate` (a residual) and zero otherwise.
    static func linear(
        x: UnsafePointer<Float>, rows M: Int, inputs K: Int, weight w: UnsafePointer<Float>, outputs N: Int, bias: UnsafePointer<Float>?,
        accumulate: Bool, y: UnsafeMutablePointer<Float>
    ) {
        let (X, W, Y) = (Parallel.SharedReadPointer(base: x), Parallel.SharedReadPointer(base: w), Parallel.SharedPointer(base: y))
        let B = bias.map { Parallel.SharedReadPointer(base: $0) }
        // Chunks of whole output pairs, so which worker computes an output never changes how it is computed.
        let pairs = (N + 1) / 2
        let rowBlocks = (M + rowsPerBlock - 1) / rowsPerBlock
        Parallel.forEachChunk(pairs, minimumChunk: max(4, (1 << 14) / max(1, K))) { chunk in
            for pair in chunk {
                let o = 2 * pair
                let second = min(o + 1, N - 1)  // an odd last output is computed twice and stored once
                // The pair `prefetchPairs` ahead is asked for a line at a time, spread evenly over all the row blocks of
                // this pair, so requests go out at the pace memory delivers them instead of in bursts.
                let aheadPair = o + 2 * prefetchPairs
                let ahead = prefetchPairs > 0 && aheadPair + 1 < N ? UnsafeRawPointer(W.base + aheadPair * K) : nil
                for r in stride(from: 0, to: M, by: rowsPerBlock) {
                    let count = min(rowsPerBlock, M - r)
                    let sums = block(
                        X.base, r: r, count: count, K: K, W.base + o * K, W.base + second * K,
                        prefetching: ahead.map { (ahead: $0, part: r / rowsPerBlock, parts: rowBlocks) })
                    for i in 0..<count {
                        store(
                            sums.0[i], X.base + (r + i) * K, W.base + o * K, k: K / 8 * 8, K: K, to: Y.base + (r + i) * N + o, bias: B?.base[o],
                            accumulate)
                        if second != o {
                            store(
                                sums.1[i], X.base + (r + i) * K, W.base + second * K, k: K / 8 * 8, K: K, to: Y.base + (r + i) * N + second,
                                bias: B?.base[second], accumulate)
                        }
                    }
                }
            }
        }
    }

    /// How many output pairs ahead the weights are prefetched (`CONSORTIUM_SKINNY_PREFETCH`, 0 to 64; 0: not at all).
    static let prefetchPairs = ProcessInfo.processInfo.environment["CONSORTIUM_SKINNY_PREFETCH"].flatMap { Int($0) }.map { min(max($0, 0), 64) } ?? 8

    /// Input rows one pass over a weight pair serves: twelve accumulators, two weight and one input register fill
    /// fifteen of the sixteen AVX registers.
    static let rowsPerBlock = 6

    /// Dot products of up to six input rows with two weight rows over the first `K / 8 × 8` columns: per eight
    /// columns, two weight loads and six input loads feed twelve multiply-adds. Lanes 6 and 7 of the sums are unused.
    @inline(__always)
    private static func block(
        _ x: UnsafePointer<Float>, r: Int, count: Int, K: Int, _ w0: UnsafePointer<Float>, _ w1: UnsafePointer<Float>,
        prefetching plan: (ahead: UnsafeRawPointer, part: Int, parts: Int)?
    ) -> (SIMD8<Float>, SIMD8<Float>) {
        // Rows past the last repeat it, so every load stays in bounds; their sums are not used.
        let x0 = UnsafeRawPointer(x + r * K)
        let x1 = UnsafeRawPointer(x + (r + min(1, count - 1)) * K)
        let x2 = UnsafeRawPointer(x + (r + min(2, count - 1)) * K)
        let x3 = UnsafeRawPointer(x + (r + min(3, count - 1)) * K)
        let x4 = UnsafeRawPointer(x + (r + min(4, count - 1)) * K)
        let x5 = UnsafeRawPointer(x + (r + min(5, count - 1)) * K)
        let (a, b) = (UnsafeRawPointer(w0), UnsafeRawPointer(w1))
        var (s00, s01, s02, s03, s04, s05) = (Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes())
        var (s10, s11, s12, s13, s14, s15) = (Lanes(), Lanes(), Lanes(), Lanes(), Lanes(), Lanes())
        var byte = 0
        let end = K / 8 * 32
        // Two weight rows of 4·K bytes ahead are 8·K bytes, K/8 steps per block: over `parts` blocks, one 64-byte line
        // every `parts` steps. Step g of the pair (counted across its blocks) asks for line g / parts when parts divides g.
        let steps = K / 8
        let first = (plan?.part ?? 0) * steps
        var countdown = plan.map { ($0.parts - first % $0.parts) % $0.parts } ?? Int.max
        var line = plan.map { $0.ahead + (first + $0.parts - 1) / $0.parts * 64 }
        while byte < end {
            #if canImport(CBLAS)
                if countdown == 0, let address = line {
                    consortium_prefetch(address)
                    line = address + 64
                    countdown = plan?.parts ?? Int.max
                }
                countdown &-= 1
            #endif
            let (u, v) = (a.loadUnaligned(fromByteOffset: byte, as: Lanes.self), b.loadUnaligned(fromByteOffset: byte, as: Lanes.self))
            // Each input is loaded just before its two multiply-adds, so one input register is live at a time.
            let i0 = x0.loadUnaligned(fromByteOffset: byte, as: Lanes.self)
            s00 = s00.addingProduct(i0, u)
            s10 = s10.addingProduct(i0, v)
            let i1 = x1.loadUnaligned(fromByteOffset: byte, as: Lanes.self)
            s01 = s01.addingProduct(i1, u)
            s11 = s11.addingProduct(i1, v)
            let i2 = x2.loadUnaligned(fromByteOffset: byte, as: Lanes.self)
            s02 = s02.addingProduct(i2, u)
            s12 = s12.addingProduct(i2, v)
            let i3 = x3.loadUnaligned(fromByteOffset: byte, as: Lanes.self)
            s03 = s03.addingProduct(i3, u)
            s13 = s13.addingProduct(i3, v)
            let i4 = x4.loadUnaligned(fromByteOffset: byte, as: Lanes.self)
            s04 = s04.addingProduct(i4, u)
            s14 = s14.addingProduct(i4, v)
            let i5 = x5.loadUnaligned(fromByteOffset: byte, as: Lanes.self)
            s05 = s05.addingProduct(i5, u)
            s15 = s15.addingProduct(i5, v)
            byte += 32
        }
        return (
            SIMD8(s00.sum(), s01.sum(), s02.sum(), s03.sum(), s04.sum(), s05.sum(), 0, 0),
            SIMD8(s10.sum(), s11.sum(), s12.sum(), s13.sum(), s14.sum(), s15.sum(), 0, 0)
        )
    }

    /// Adds the columns past the last full eight, the bias and the residual, and stores one output.
    @inline(__always)
    private static func store(
        _ partial: Float, _ input: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, k start: Int, K: Int, to y: UnsafeMutablePointer<Float>,
        bias: Float?, _ accumulate: Bool
    ) {
        var total = partial
        for k in start..<K { total += input[k] * weight[k] }
        y.pointee = (accumulate ? y.pointee : 0) + (bias ?? 0) + total
    }
}
