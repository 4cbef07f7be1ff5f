/// What a task reports: metrics with their standard errors, details for people (per-category tables, top-k lists),
/// and how much work it took.
public struct TaskOutcome: Sendable, Codable, Equatable {
    /// One reported number.
    public struct Metric: Sendable, Codable, Equatable {
        /// `perplexity`, `acc_norm`, `stereotype_score.gender` (lowercase letters, digits, `_`, `.`, `@`).
        public let name: String
        public let value: Double
        /// Standard error of the value, when it has one.
        public let standardError: Double?
        /// Items behind the value.
        public let samples: Int

        /// Creates a metric.
        public init(name: String, value: Double, standardError: Double? = nil, samples: Int) {
            self.name = name
            self.value = value
            self.standardError = standardError
            self.samples = samples
        }
    }

    /// The metrics, in the order the task defines.
    public var metrics: [Metric]
    /// Task-specific details as JSON text (an object).
    public var details: String
    /// Items scored.
    public var items: Int
    /// Tokens through the model.
    public var tokensProcessed: Int

    /// The value of a metric, if reported.
    public func value(_ name: String) -> Double? { metrics.first { $0.name == name }?.value }
}
