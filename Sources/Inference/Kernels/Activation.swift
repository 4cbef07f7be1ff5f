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
        x.storage.withUnsafeMutableBufferPointer { v in
            switch self {
            case .gelu:
                for i in 0..<v.count { v[i] = 0.5 * v[i] * (1 + erff(v[i] * 0.70710678118654752)) }
            case .geluTanh:
                for i in 0..<v.count {
                    let x = v[i]
                    v[i] = 0.5 * x * (1 + tanhf(0.79788456080286536 * (x + 0.044715 * x * x * x)))
                }
            case .relu:
                for i in 0..<v.count { v[i] = max(0, v[i]) }
            }
        }
    }
}
