import Foundation

/// How token states become one sentence vector, from sentence-transformers' `1_Pooling/config.json`
/// and `modules.json` (mean pooling and L2 normalisation when they are absent).
public struct Pooling: Sendable, Equatable {
    /// The pooling operation.
    public enum Mode: String, Sendable { case mean, cls, max, meanSquareRootLength }
    /// The pooling operation.
    public let mode: Mode
    /// Whether vectors are scaled to unit length.
    public let normalize: Bool

    /// Mean pooling with L2 normalisation: what a checkpoint without a sentence-transformers configuration gets.
    public static let `default` = Pooling(mode: .mean, normalize: true)

    private init(mode: Mode, normalize: Bool) {
        self.mode = mode
        self.normalize = normalize
    }

    /// Reads the pooling configuration of a checkpoint directory.
    public init(directory: String) throws(ModelError) {
        struct Config: Decodable {
            let pooling_mode_cls_token: Bool?
            let pooling_mode_mean_tokens: Bool?
            let pooling_mode_max_tokens: Bool?
            let pooling_mode_mean_sqrt_len_tokens: Bool?
        }
        struct Module: Decodable { let type: String }
        let decoder = JSONDecoder()
        var mode = Mode.mean
        let configPath = directory + "/1_Pooling/config.json"
        if let data = FileManager.default.contents(atPath: configPath) {
            guard let config = try? decoder.decode(Config.self, from: data) else {
                throw ModelError(.invalidConfiguration, "\(configPath): not a valid pooling configuration")
            }
            let chosen: [(Bool?, Mode)] = [
                (config.pooling_mode_cls_token, .cls), (config.pooling_mode_mean_tokens, .mean), (config.pooling_mode_max_tokens, .max),
                (config.pooling_mode_mean_sqrt_len_tokens, .meanSquareRootLength),
            ].filter { $0.0 == true }
            guard chosen.count == 1 else {
                throw ModelError(.invalidConfiguration, "\(configPath): exactly one pooling mode must be enabled (found \(chosen.count))")
            }
            mode = chosen[0].1
        }
        var normalize = true
        let modulesPath = directory + "/modules.json"
        if let data = FileManager.default.contents(atPath: modulesPath) {
            guard let modules = try? decoder.decode([Module].self, from: data) else {
                throw ModelError(.invalidConfiguration, "\(modulesPath): not a valid sentence-transformers module list")
            }
            normalize = modules.contains { $0.type.hasSuffix("Normalize") }
        }
        self.mode = mode
        self.normalize = normalize
    }

    /// Pools a (T, C) matrix of one sequence's token states into a C-vector.
    public func callAsFunction(_ states: Matrix) -> [Float] {
        let (T, C) = (states.rows, states.cols)
        var v = [Float](repeating: 0, count: C)
        guard T > 0 else { return v }
        switch mode {
        case .cls:
            v = states.row(0)
        case .max:
            v = states.row(0)
            for t in 1..<T { for c in 0..<C { v[c] = max(v[c], states.storage[t * C + c]) } }
        case .mean, .meanSquareRootLength:
            for t in 0..<T { for c in 0..<C { v[c] += states.storage[t * C + c] } }
            let divisor = mode == .mean ? Float(T) : Float(T).squareRoot()
            for c in 0..<C { v[c] /= divisor }
        }
        if normalize {
            let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
            // sentence-transformers clamps the norm at 1e-12 so an all-zero vector stays zero.
            let scale = 1 / max(norm, 1e-12)
            for c in 0..<C { v[c] *= scale }
        }
        return v
    }
}
