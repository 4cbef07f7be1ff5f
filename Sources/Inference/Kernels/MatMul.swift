/// Matrix products: the BLAS path the models use, and a naive loop kept beside it as the reference
/// the tests compare against (llm.c's `matmul_forward_naive`).
enum MatMul {
    /// `x · wᵀ` when `w` is stored (out, in) as in `nn.Linear`, or `x · w` when stored (in, out)
    /// as in GPT-2's `Conv1D`; plus `bias` on every row.
    /// With `residual`, computes `residual + x·wᵀ + bias` in the same pass: BLAS accumulates onto it.
    static func linear(_ x: Matrix, _ w: Matrix, bias: [Float]?, weightIsInputMajor: Bool, residual: Matrix? = nil) -> Matrix {
        let outFeatures = weightIsInputMajor ? w.cols : w.rows
        var y = residual ?? Matrix(uninitializedRows: x.rows, cols: outFeatures)
        guard x.rows > 0 else { return y }
        if let bias, residual != nil {
            y.storage.withUnsafeMutableBufferPointer { out in
                for r in 0..<x.rows { for c in 0..<outFeatures { out[r * outFeatures + c] += bias[c] } }
            }
        } else if let bias {
            y.storage.withUnsafeMutableBufferPointer { out in
                for r in 0..<x.rows { for c in 0..<outFeatures { out[r * outFeatures + c] = bias[c] } }
            }
        }
        x.storage.withUnsafeBufferPointer { a in
            w.storage.withUnsafeBufferPointer { b in
                y.storage.withUnsafeMutableBufferPointer { c in
                    BLAS.sgemm(
                        transposeB: !weightIsInputMajor, m: x.rows, n: outFeatures, k: x.cols,
                        a: a.baseAddress!, lda: x.cols, b: b.baseAddress!, ldb: w.cols,
                        beta: bias == nil && residual == nil ? 0 : 1, c: c.baseAddress!, ldc: outFeatures)
                }
            }
        }
        return y
    }

    /// The same product as ``linear(_:_:bias:weightIsInputMajor:)`` by three plain loops.
    static func linearNaive(_ x: Matrix, _ w: Matrix, bias: [Float]?, weightIsInputMajor: Bool) -> Matrix {
        let outFeatures = weightIsInputMajor ? w.cols : w.rows
        var y = Matrix(rows: x.rows, cols: outFeatures)
        for r in 0..<x.rows {
            for o in 0..<outFeatures {
                var sum = bias?[o] ?? 0
                for i in 0..<x.cols {
                    let weight = weightIsInputMajor ? w.storage[i * w.cols + o] : w.storage[o * w.cols + i]
                    sum += x.storage[r * x.cols + i] * weight
                }
                y.storage[r * outFeatures + o] = sum
            }
        }
        return y
    }
}
