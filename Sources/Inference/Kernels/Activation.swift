import Foundation

/// The element-wise activation named by a config's `hidden_act` / `activation_function`.
enum Activation: String, Sendable {
    /// Exact GELU, `x·Φ(x)` via erf (`"gelu"`).
    case gelu
    /// The tanh approximation (`"gelu_new"`, `"gelu_pytorch_tanh"`).
    case geluTanh
    case relu

    /// Maps a Hugging Face activation name; `nil` if unsupported.
    init?(huggingFaceName name: String) {
        switch name {
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh": self = .geluTanh
        case "relu": self = .relu
        default: return nil
        }
    }

    func apply(_ x: inout Matrix) {
        let count = x.storage.count
        let activation = self
        x.storage.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            let shared = Parallel.SharedPointer(base: base)
            Parallel.forEachChunk(count, minimumChunk: 1 << 15) { range in
                activation.apply(shared.base + range.lowerBound, count: range.count)
            }
        }
    }

    /// Applies the activation to `count` floats at `base`, after adding `bias`'s floats to them when given.
    func apply(_ base: UnsafeMutablePointer<Float>, count: Int, adding bias: UnsafePointer<Float>? = nil) {
        switch self {
        case .gelu:
            VectorMath.transform(base, count: count, adding: bias) { x in 0.5 * x * (1 + VectorMath.erf(x * 0.70710678118654752)) }
        case .geluTanh:
            VectorMath.transform(base, count: count, adding: bias) { x in
                0.5 * x * (1 + VectorMath.tanh(0.79788456080286536 * (x + 0.044715 * x * x * x)))
            }
        case .relu:
            VectorMath.transform(base, count: count, adding: bias) { x in x.replacing(with: 0, where: x .< 0) }
        }
    }

    /// The scalar definitions, for tests.
    func reference(_ x: Float) -> Float {
        switch self {
        case .gelu: 0.5 * x * (1 + erff(x * 0.70710678118654752))
        case .geluTanh: 0.5 * x * (1 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))
        case .relu: max(0, x)
        }
    }
}
