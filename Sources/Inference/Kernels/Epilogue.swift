/// The element-wise work that follows a dense layer, done together with the layer's bias on each block of the
/// product right after BLAS writes it, while the block is still in cache, rather than in passes of its own over the
/// whole output (a pre-filled bias, then the activation or the norm, each reading and writing every element again).
enum Epilogue: Sendable {
    /// The bias alone.
    case bias
    /// `activation(y + bias)`.
    case activation(Activation)
    /// `norm(y + bias)`, BERT's post-norm after a residual add; it needs whole rows.
    case layerNorm(LayerNorm)

    /// Whether a block must hold whole rows; a product cut into column blocks normalises afterwards instead.
    var needsWholeRows: Bool {
        if case .layerNorm = self { true } else { false }
    }

    /// Applies the epilogue to `rows` × `cols` of the row-major matrix `y` with `stride` floats a row, adding
    /// `bias` (indexed by column) first when given. Runs on the calling thread.
    func apply(_ y: UnsafeMutablePointer<Float>, stride: Int, rows: Range<Int>, cols: Range<Int>, bias: UnsafePointer<Float>?) {
        let columnBias = bias.map { $0 + cols.lowerBound }
        switch self {
        case .bias:
            guard let columnBias else { return }
            for r in rows { VectorMath.add(columnBias, to: y + r * stride + cols.lowerBound, count: cols.count) }
        case .activation(let activation):
            for r in rows { activation.apply(y + r * stride + cols.lowerBound, count: cols.count, adding: columnBias) }
        case .layerNorm(let norm):
            precondition(cols == 0..<stride, "a layer norm epilogue needs whole rows")
            norm.normalize(y, rows: rows, C: stride, adding: bias)
        }
    }

    /// Applies the epilogue, without a bias, to every row of `y`, spread over the workers: for a product whose
    /// blocks could not take it (column blocks under a norm, or the few-row path that adds the bias itself).
    func apply(to y: inout Matrix) {
        switch self {
        case .bias: return
        case .activation(let activation): activation.apply(&y)
        case .layerNorm(let norm): norm.apply(&y)
        }
    }
}
