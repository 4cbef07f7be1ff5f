import Foundation

/// Rotary position embeddings in Hugging Face's "rotate half" layout: within a head, element `i` of
/// the first half pairs with element `i + d/2`, both turned by `position × inv_freq[i]`.
///
/// The angles are computed as transformers computes them (float32 `inv_freq`, float32 product with
/// the position), because at long positions the float32 rounding of the angle is larger than the
/// tolerance the results are held to.
struct RotaryEmbedding: Sendable {
    let headSize: Int
    /// `1 / θ^(2i/d)` for `i < d/2`.
    let inverseFrequencies: [Float]

    init(headSize: Int, base theta: Double) {
        self.headSize = headSize
        let d = Float(headSize)
        inverseFrequencies = (0..<(headSize / 2)).map { i in 1 / powf(Float(theta), Float(2 * i) / d) }
    }

    /// Rotates the query and key heads of every row of `qkv` (laid out as `layout` says) in place;
    /// `positions[r]` is row r's position within its sequence. Value heads are left alone.
    func apply(_ qkv: inout Matrix, layout: Attention.Layout, positions: [Int]) {
        let (width, half) = (layout.rowWidth, headSize / 2)
        let rotatedHeads = layout.heads + layout.keyValueHeads  // queries, then keys: contiguous
        inverseFrequencies.withUnsafeBufferPointer { frequencies in
            qkv.storage.withUnsafeMutableBufferPointer { buffer in
                guard let base = buffer.baseAddress, let fBase = frequencies.baseAddress else { return }
                let (rows, inv) = (Parallel.SharedPointer(base: base), Parallel.SharedReadPointer(base: fBase))
                Parallel.forEachChunk(positions.count, minimumChunk: 16) { range in
                    var cosines = [Float](repeating: 0, count: half)
                    var sines = [Float](repeating: 0, count: half)
                    for r in range {
                        let position = Float(positions[r])
                        for i in 0..<half {
                            let angle = position * inv.base[i]
                            cosines[i] = cosf(angle)
                            sines[i] = sinf(angle)
                        }
                        let row = rows.base + r * width
                        for h in 0..<rotatedHeads {
                            let x = row + h * headSize
                            for i in 0..<half {
                                let (a, b) = (x[i], x[i + half])
                                x[i] = a * cosines[i] - b * sines[i]
                                x[i + half] = b * cosines[i] + a * sines[i]
                            }
                        }
                    }
                }
            }
        }
    }
}
