import Foundation

/// LLaMA's gated feed-forward activation: `silu(gate) × up`, with gate and up computed by one GEMM
/// into the two halves of each row.
enum SwiGLU {
    /// (N, 2I) rows of `gate | up` → (N, I).
    static func apply(_ gateUp: Matrix) -> Matrix {
        let (N, I) = (gateUp.rows, gateUp.cols / 2)
        var out = Matrix(uninitializedRows: N, cols: I)
        gateUp.storage.withUnsafeBufferPointer { input in
            out.storage.withUnsafeMutableBufferPointer { output in
                guard let inBase = input.baseAddress, let outBase = output.baseAddress else { return }
                let (source, target) = (Parallel.SharedReadPointer(base: inBase), Parallel.SharedPointer(base: outBase))
                Parallel.forEachChunk(N, minimumChunk: max(1, (1 << 14) / max(1, I))) { range in
                    for r in range {
                        let (gate, up, y) = (source.base + r * 2 * I, source.base + r * 2 * I + I, target.base + r * I)
                        for i in 0..<I { y[i] = gate[i] }
                        VectorMath.transform(y, count: I) { g in g / (1 + VectorMath.exp(-g)) }
                        for i in 0..<I { y[i] *= up[i] }
                    }
                }
            }
        }
        return out
    }

    /// The scalar definition, for tests.
    static func reference(gate: Float, up: Float) -> Float { gate / (1 + expf(-gate)) * up }
}
