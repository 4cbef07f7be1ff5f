/// Layer normalisation over the feature axis with learned gain and bias.
struct LayerNorm: Sendable {
    let gain: [Float]   // (C)
    let bias: [Float]   // (C)
    let epsilon: Float

    func callAsFunction(_ x: Matrix) -> Matrix {   // (N, C) → (N, C)
        var y = x
        apply(&y)
        return y
    }

    func apply(_ x: inout Matrix) {
        let C = x.cols
        x.storage.withUnsafeMutableBufferPointer { buffer in
            gain.withUnsafeBufferPointer { g in
                bias.withUnsafeBufferPointer { b in
                    for r in 0..<x.rows {
                        let row = UnsafeMutableBufferPointer(rebasing: buffer[(r * C)..<((r + 1) * C)])
                        var mean: Float = 0
                        for v in row { mean += v }
                        mean /= Float(C)
                        var variance: Float = 0
                        for v in row { variance += (v - mean) * (v - mean) }
                        variance /= Float(C)
                        let scale = 1 / (variance + epsilon).squareRoot()
                        for c in 0..<C { row[c] = (row[c] - mean) * scale * g[c] + b[c] }
                    }
                }
            }
        }
    }
}
