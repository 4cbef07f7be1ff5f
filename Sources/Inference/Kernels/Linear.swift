/// A dense layer `y = x·Wᵀ + b`.
struct Linear: Sendable {
    let weight: WeightMatrix  // (out, in), or (in, out) when weightIsInputMajor
    let bias: [Float]?  // (out)
    /// Hugging Face's GPT-2 `Conv1D` stores weights (in, out); BLAS reads them untransposed.
    let weightIsInputMajor: Bool

    var outFeatures: Int { weightIsInputMajor ? weight.cols : weight.rows }

    func callAsFunction(_ x: Matrix) -> Matrix {  // (N, in) → (N, out)
        MatMul.linear(x, weight, bias: bias, weightIsInputMajor: weightIsInputMajor)
    }

    func callAsFunction(_ x: Matrix, adding residual: Matrix) -> Matrix {  // (N, in) → residual + (N, out)
        MatMul.linear(x, weight, bias: bias, weightIsInputMajor: weightIsInputMajor, residual: residual)
    }
}
