/// Root-mean-square normalisation with a learned gain (LLaMA's `LlamaRMSNorm`): no mean is
/// subtracted and there is no bias.
struct RMSNorm: Sendable {
    let gain: [Float]  // (C)
    let epsilon: Float

    func callAsFunction(_ x: Matrix) -> Matrix {  // (N, C) → (N, C)
        var y = x
        apply(&y)
        return y
    }

    func apply(_ x: inout Matrix) {
        let (N, C) = (x.rows, x.cols)
        let epsilon = epsilon
        gain.withUnsafeBufferPointer { g in
            x.storage.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress, let gBase = g.baseAddress else { return }
                let (rows, gains) = (Parallel.SharedPointer(base: base), Parallel.SharedReadPointer(base: gBase))
                Parallel.forEachChunk(N, minimumChunk: 64) { range in
                    for r in range { Self.normalize(rows.base + r * C, C, gains.base, epsilon) }
                }
            }
        }
    }

    /// transformers normalises first and multiplies by the gain after (`weight * (x * rsqrt(var + eps))`).
    @inline(__always)
    private static func normalize(_ row: UnsafeMutablePointer<Float>, _ C: Int, _ g: UnsafePointer<Float>, _ epsilon: Float) {
        let raw = UnsafeMutableRawPointer(row)
        var squares = SIMD8<Float>(repeating: 0)
        var c = 0
        while c + 8 <= C {
            let v = raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            squares += v * v
            c += 8
        }
        var total = squares.sum()
        for k in c..<C { total += row[k] * row[k] }
        let scale = 1 / (total / Float(C) + epsilon).squareRoot()
        let gRaw = UnsafeRawPointer(g)
        c = 0
        while c + 8 <= C {
            let v = raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            raw.storeBytes(
                of: gRaw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self) * (v * scale), toByteOffset: c * 4, as: SIMD8<Float>.self)
            c += 8
        }
        for k in c..<C { row[k] = g[k] * (row[k] * scale) }
    }
}
