/// One evaluation: what it measures and how (`wikitext-perplexity`, `sts-benchmark`).
public struct EvaluationTask: Hashable, Sendable, Codable, Identifiable {
    /// How the task scores a checkpoint.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case perplexity, multipleChoice = "multiple_choice", embeddingSimilarity = "embedding_similarity", retrieval, classification
    }

    public let id: Identifier<EvaluationTask>
    public var slug: String
    public var name: String
    public var kind: Kind
    public var description: String
    /// Task settings (dataset file, split, few-shot count…) as the evaluator reads them.
    public var config: [String: String]
    /// The metrics it reports (`perplexity`, `bits_per_byte`, `accuracy`).
    public var metrics: [String]

    /// Creates a task; it must report at least one metric.
    public init(
        id: Identifier<EvaluationTask> = .init(), slug: String, name: String, kind: Kind, description: String = "",
        config: [String: String] = [:], metrics: [String]
    ) throws(DomainValidationError) {
        guard slug.wholeMatch(of: /[a-z0-9]+([._\-][a-z0-9]+)*/) != nil else {
            throw DomainValidationError(field: "slug", message: "'\(slug.prefix(80))' is not a task slug")
        }
        guard !metrics.isEmpty else { throw DomainValidationError(field: "metrics", message: "must name at least one metric") }
        for metric in metrics where metric.wholeMatch(of: /[a-z0-9_@.]{1,64}/) == nil {
            throw DomainValidationError(field: "metrics", message: "'\(metric.prefix(70))' is not a metric name")
        }
        self.id = id
        self.slug = slug
        self.name = try Text.required(name, field: "name", maxLength: 200)
        self.kind = kind
        self.description = description
        self.config = config
        self.metrics = metrics
    }
}
