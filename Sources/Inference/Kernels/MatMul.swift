import Foundation

/// Matrix products: the BLAS path the models use, and a naive loop kept beside it as the reference
/// the tests compare against (llm.c's `matmul_forward_naive`).
enum MatMul {
    /// Largest M·N·K handed to OpenBLAS in one call when there are few rows (see `linear`);
    /// `CONSORTIUM_SMALL_GEMM_LIMIT` overrides it for tuning on other machines.
    static let smallProductLimit = ProcessInfo.processInfo.environment["CONSORTIUM_SMALL_GEMM_LIMIT"].flatMap { Int($0) } ?? 250_000

    /// Most blocks a product with many rows is cut into, by rows or by columns (`CONSORTIUM_ROW_BLOCKS`,
    /// `CONSORTIUM_COLUMN_BLOCKS` override it). Every block packs the whole of the operand it does not cut again (the
    /// weights, or the input), so blocks beyond one per core only add copying: with eight on two cores the copies
    /// were a seventh of GPT-2-small's scoring. The machine's core count, never the configured thread count, so results
    /// do not depend on `--threads`.
    static let defaultBlocks = min(8, max(1, ProcessInfo.processInfo.activeProcessorCount))
    static let rowBlocks = ProcessInfo.processInfo.environment["CONSORTIUM_ROW_BLOCKS"].flatMap { Int($0) }.map { max(1, $0) } ?? defaultBlocks
    static let columnBlocks =
        ProcessInfo.processInfo.environment["CONSORTIUM_COLUMN_BLOCKS"].flatMap { Int($0) }.map { max(1, $0) } ?? defaultBlocks

    /// Granularity of the row blocks a product with many rows is cut into.
    static let rowBlock = 32

    /// `x · wᵀ` when `w` is stored (out, in) as in `nn.Linear`, or `x · w` when stored (in, out)
    /// as in GPT-2's `Conv1D`; plus `bias` on every row, then `epilogue`.
    /// With `residual`, computes `residual + x·wᵀ + bias` in the same pass: BLAS accumulates onto it. It is consumed,
    /// so a caller that passes its last use lends its buffer instead of having it copied (copy-on-write).
    ///
    /// Work is split over the workers by rows when there are many, else by output columns, so both
    /// a 12-token sentence and an 8,192-token batch keep every core busy.
    static func linear(
        _ x: Matrix, _ w: WeightMatrix, bias: [Float]?, weightIsInputMajor: Bool, residual: consuming Matrix? = nil, then epilogue: Epilogue = .bias
    ) -> Matrix {
        let (M, K) = (x.rows, x.cols)
        let N = weightIsInputMajor ? w.cols : w.rows
        let accumulate = residual != nil
        var y = (consume residual) ?? Matrix(uninitializedRows: M, cols: N)
        guard M > 0, N > 0 else { return y }
        if K == 0 {  // an empty product: the residual or zeros, then the bias and the epilogue
            if !accumulate { y = Matrix(rows: M, cols: N) }
            (bias ?? []).withUnsafeBufferPointer { b in
                y.storage.withUnsafeMutableBufferPointer { c in
                    guard let cBase = c.baseAddress else { return }
                    epilogue.apply(cBase, stride: N, rows: 0..<M, cols: 0..<N, bias: bias == nil ? nil : b.baseAddress)
                }
            }
            return y
        }
        // Every call packs its slice of the weights (row blocks) or of the input (column blocks), so the cut is the
        // one that packs the smaller operand again and again: rows when the batch is taller than the weights are
        // wide, columns otherwise (a 512-token window against a 49,152-wide head, or a short sentence).
        let manyRows = M >= 64
        let splitRows = manyRows && N <= M
        // An epilogue that needs whole rows cannot run on column blocks: they take the bias, the rest runs after.
        let normAfterwards = epilogue.needsWholeRows && !splitRows
        let blockEpilogue = normAfterwards ? .bias : epilogue
        var deferredEpilogue = normAfterwards ? epilogue : nil
        x.storage.withUnsafeBufferPointer { a in
            w.withUnsafeBufferPointer { b in
                y.storage.withUnsafeMutableBufferPointer { c in
                    (bias ?? []).withUnsafeBufferPointer { biasBuffer in
                        guard let aBase = a.baseAddress, let bBase = b.baseAddress, let cBase = c.baseAddress else { return }
                        let (A, B, Cm) = (
                            Parallel.SharedReadPointer(base: aBase), Parallel.SharedReadPointer(base: bBase), Parallel.SharedPointer(base: cBase)
                        )
                        let biasPointer = bias == nil ? nil : biasBuffer.baseAddress.map { Parallel.SharedReadPointer(base: $0) }
                        if M <= SkinnyMatMul.maximumRows && !weightIsInputMajor {
                            SkinnyMatMul.linear(
                                x: aBase, rows: M, inputs: K, weight: bBase, outputs: N, bias: biasPointer?.base, accumulate: accumulate, y: cBase)
                            deferredEpilogue = epilogue
                            return
                        }
                        // The GEMM is cut on a fixed grid (row blocks, or column blocks of `width`) that does not
                        // depend on the worker count: OpenBLAS rounds an element differently depending on where it
                        // falls in a call (edge tiles), so a grid that moved with the workers would make results
                        // depend on the thread count. Workers take whole blocks.
                        // With few rows, OpenBLAS spends most of a call copying (packing) the weights; column
                        // blocks of at most `smallProductLimit` multiply-adds take its unpacked small-matrix kernels.
                        // Row blocks grow with M (a call repacks the weights, so few large calls beat many small ones) but
                        // never with the worker count: at most `rowBlocks` blocks, each a multiple of `rowBlock` rows.
                        let width =
                            splitRows
                            ? ((M + Self.rowBlocks - 1) / Self.rowBlocks + Self.rowBlock - 1) / Self.rowBlock * Self.rowBlock
                            : manyRows
                                ? ((N + Self.columnBlocks - 1) / Self.columnBlocks + 63) / 64 * 64
                                : max(16, smallProductLimit / max(1, M * K) / 16 * 16)
                        let extent = splitRows ? M : N
                        let blocks = (extent + width - 1) / width
                        Parallel.forEachChunk(blocks, minimumChunk: splitRows ? 1 : max(1, 64 / width)) { blockRange in
                            for block in blockRange {
                                let part = block * width..<min((block + 1) * width, extent)
                                let rows = splitRows ? part : 0..<M
                                let cols = splitRows ? 0..<N : part
                                // Column slices of B: rows of an (out, in) weight, columns of an (in, out) one.
                                let bSlice = weightIsInputMajor ? B.base + cols.lowerBound : B.base + cols.lowerBound * K
                                BLAS.sgemm(
                                    transposeB: !weightIsInputMajor, m: rows.count, n: cols.count, k: K,
                                    a: A.base + rows.lowerBound * K, lda: K, b: bSlice, ldb: w.cols,
                                    beta: accumulate ? 1 : 0, c: Cm.base + rows.lowerBound * N + cols.lowerBound, ldc: N)
                                blockEpilogue.apply(Cm.base, stride: N, rows: rows, cols: cols, bias: biasPointer?.base)
                            }
                        }
                    }
                }
            }
        }
        deferredEpilogue?.apply(to: &y)
        return y
    }

    /// The same product as ``linear(_:_:bias:weightIsInputMajor:)`` by three plain loops.
    static func linearNaive(_ x: Matrix, _ w: WeightMatrix, bias: [Float]?, weightIsInputMajor: Bool) -> Matrix {
        let weights = w.floats
        let outFeatures = weightIsInputMajor ? w.cols : w.rows
        var y = Matrix(rows: x.rows, cols: outFeatures)
        for r in 0..<x.rows {
            for o in 0..<outFeatures {
                var sum = bias?[o] ?? 0
                for i in 0..<x.cols {
                    let weight = weightIsInputMajor ? weights[i * w.cols + o] : weights[o * w.cols + i]
                    sum += x.storage[r * x.cols + i] * weight
                }
                y.storage[r * outFeatures + o] = sum
            }
        }
        return y
    }
}
