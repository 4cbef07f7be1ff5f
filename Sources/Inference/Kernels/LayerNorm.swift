/// Layer normalisation over the feature axis with learned gain and bias.
struct LayerNorm: Sendable {
    let gain: [Float]  // (C)
    let bias: [Float]  // (C)
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
            bias.withUnsafeBufferPointer { b in
                x.storage.withUnsafeMutableBufferPointer { buffer in
                    guard let base = buffer.baseAddress, let gBase = g.baseAddress, let bBase = b.baseAddress else { return }
                    let (rows, gains, biases) = (
                        Parallel.SharedPointer(base: base), Parallel.SharedReadPointer(base: gBase), Parallel.SharedReadPointer(base: bBase)
                    )
                    Parallel.forEachChunk(N, minimumChunk: 64) { range in
                        for r in range { Self.normalize(rows.base + r * C, C, gains.base, biases.base, epsilon) }
                    }
                }
            }
        }
    }

    /// Normalises `rows` of the row-major `(_, C)` matrix at `base` on the calling thread, after adding `addend`'s
    /// C floats to each when given (the bias of the dense layer that wrote them).
    func normalize(_ base: UnsafeMutablePointer<Float>, rows: Range<Int>, C: Int, adding addend: UnsafePointer<Float>?) {
        precondition(C == gain.count, "layer norm over \(C) features, gain has \(gain.count)")
        let epsilon = epsilon
        gain.withUnsafeBufferPointer { g in
            bias.withUnsafeBufferPointer { b in
                guard let gBase = g.baseAddress, let bBase = b.baseAddress else { return }
                for r in rows {
                    let row = base + r * C
                    if let addend { VectorMath.add(addend, to: row, count: C) }
                    Self.normalize(row, C, gBase, bBase, epsilon)
                }
            }
        }
    }

    /// Two passes (mean, then variance about it) as PyTorch does, so no cancellation on large means.
    @inline(__always)
    private static func normalize(
        _ row: UnsafeMutablePointer<Float>, _ C: Int, _ g: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ epsilon: Float
    ) {
        let raw = UnsafeMutableRawPointer(row)
        var sum = SIMD8<Float>(repeating: 0)
        var c = 0
        while c + 8 <= C {
            sum += raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            c += 8
        }
        var total = sum.sum()
        for k in c..<C { total += row[k] }
        let mean = total / Float(C)
        var squares = SIMD8<Float>(repeating: 0)
        c = 0
        while c + 8 <= C {
            let d = raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self) - mean
            squares += d * d
            c += 8
        }
        var variance = squares.sum()
        for k in c..<C { variance += (row[k] - mean) * (row[k] - mean) }
        let scale = 1 / (variance / Float(C) + epsilon).squareRoot()
        let gRaw = UnsafeRawPointer(g)
        let bRaw = UnsafeRawPointer(b)
        c = 0
        while c + 8 <= C {
            let v = raw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            let y =
                (v - mean) * scale * gRaw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
                + bRaw.loadUnaligned(fromByteOffset: c * 4, as: SIMD8<Float>.self)
            raw.storeBytes(of: y, toByteOffset: c * 4, as: SIMD8<Float>.self)
            c += 8
        }
        for k in c..<C { row[k] = (row[k] - mean) * scale * g[k] + b[k] }
    }
}
