/// A dense layer `y = x·Wᵀ + b`.
struct Linear: Sendable {
    let weight: WeightMatrix  // (out, in), or (in, out) when weightIsInputMajor
    let bias: [Float]?  // (out)
    /// Hugging Face's GPT-2 `Conv1D` stores weights (in, out); BLAS reads them untransposed.
    let weightIsInputMajor: Bool

    var outFeatures: Int { weightIsInputMajor ? weight.cols : weight.rows }

    /// `epilogue(x·Wᵀ + b)`; the epilogue runs on each block of the product while it is in cache.
    func callAsFunction(_ x: Matrix, then epilogue: Epilogue = .bias) -> Matrix {  // (N, in) → (N, out)
        MatMul.linear(x, weight, bias: bias, weightIsInputMajor: weightIsInputMajor, then: epilogue)
    }

    /// `epilogue(residual + x·Wᵀ + b)`.
    func callAsFunction(_ x: Matrix, adding residual: consuming Matrix, then epilogue: Epilogue = .bias) -> Matrix {  // (N, in) → (N, out)
        MatMul.linear(x, weight, bias: bias, weightIsInputMajor: weightIsInputMajor, residual: consume residual, then: epilogue)
    }
}
