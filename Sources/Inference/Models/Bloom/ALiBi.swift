import Foundation

/// ALiBi's per-head slopes, exactly as transformers' `build_alibi_tensor` computes them: a geometric
/// series for the largest power of two not above the head count, then every other term of the series
/// for twice that many heads for the remaining ones.
enum ALiBi {
    static func slopes(heads: Int) -> [Float] {
        let closest = 1 << Int(log2(Double(heads)).rounded(.down))
        let base = Float(pow(2.0, -pow(2.0, -(log2(Double(closest)) - 3))))
        var slopes = (1...closest).map { powf(base, Float($0)) }
        if closest != heads {
            let extraBase = Float(pow(2.0, -pow(2.0, -(log2(Double(2 * closest)) - 3))))
            let remaining = min(closest, heads - closest)
            slopes += stride(from: 1, to: 1 + 2 * remaining, by: 2).map { powf(extraBase, Float($0)) }
        }
        return slopes
    }
}
