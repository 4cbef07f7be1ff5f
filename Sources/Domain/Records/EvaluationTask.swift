/// One evaluation: what it measures and how (`wikitext-perplexity`, `sts-benchmark`).
public struct EvaluationTask: Hashable, Sendable, Codable, Identifiable {
    /// How the task scores a checkpoint.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case perplexity, multipleChoice = "multiple_choice", stereotypePairs = "stereotype_pairs", fillMaskProbe = "fill_mask_probe"
        case embeddingSimilarity = "embedding_similarity"

        /// The headline metrics the engine reports for this kind (stereotype pairs add one per bias category).
        public var metrics: [String] {
            switch self {
            case .perplexity: ["perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte"]
            case .multipleChoice: ["acc", "acc_norm"]
            case .stereotypePairs: ["stereotype_share", "likelihood_difference"]
            case .fillMaskProbe: ["js_divergence", "top_k_overlap"]
            case .embeddingSimilarity: ["spearman", "pearson"]
            }
        }
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
    /// The dataset artifact whose JSONL file the task reads.
    public var datasetArtifactID: Identifier<Artifact>?
    /// That file's path inside the artifact.
    public var datasetPath: String?

    /// Creates a task; it must report at least one metric.
    public init(
        id: Identifier<EvaluationTask> = .init(), slug: String, name: String, kind: Kind, description: String = "",
        config: [String: String] = [:], metrics: [String], datasetArtifactID: Identifier<Artifact>? = nil, datasetPath: String? = nil
    ) throws(DomainValidationError) {
        guard (datasetArtifactID == nil) == (datasetPath == nil) else {
            throw DomainValidationError(field: "dataset_path", message: "a dataset needs both its artifact and the file's path")
        }
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
        self.datasetArtifactID = datasetArtifactID
        self.datasetPath = datasetPath
    }
}
