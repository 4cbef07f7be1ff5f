/// Which way a metric improves, so that a change between checkpoints can be called a regression.
public enum MetricDirection: Hashable, Sendable {
    case higherIsBetter
    case lowerIsBetter
    /// Best at a value, worse the farther away (a stereotype share is ideal at 0.5).
    case closerTo(Double)

    /// The direction of a metric the evaluation tasks report, by name (`stereotype_share.gender` is a
    /// `stereotype_share`); nil for metrics without one (`likelihood_difference`).
    public static func of(_ metric: String) -> MetricDirection? {
        let base = metric.split(separator: ".", maxSplits: 1).first.map(String.init) ?? metric
        switch base {
        case "acc", "acc_norm", "spearman", "pearson", "top_k_overlap": return .higherIsBetter
        case "perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte", "js_divergence": return .lowerIsBetter
        case "stereotype_share": return .closerTo(0.5)
        default: return nil
        }
    }

    /// How much worse `new` is than `old` (0 when it is as good or better).
    public func worsening(from old: Double, to new: Double) -> Double {
        switch self {
        case .higherIsBetter: max(0, old - new)
        case .lowerIsBetter: max(0, new - old)
        case let .closerTo(ideal): max(0, abs(new - ideal) - abs(old - ideal))
        }
    }
}
