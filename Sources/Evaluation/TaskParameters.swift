/// A task's parameters, parsed and checked from the string map stored with the task (and overridable per run).
public struct TaskParameters: Hashable, Sendable, Codable {
    /// Score only the first `limit` items of the dataset (nil: all).
    public var limit: Int?
    /// Items per progress step: progress is reported and cancellation checked after each step. Every sequence is its
    /// own forward pass, so results never depend on it.
    public var batchSize: Int
    /// Perplexity: tokens per window (nil: the model's context).
    public var maxLength: Int?
    /// Perplexity: tokens the window advances by (nil: `maxLength`, no overlap).
    public var stride: Int?
    /// Fill-mask probe: completions listed per template.
    public var topK: Int

    /// The defaults.
    public init(limit: Int? = nil, batchSize: Int = 8, maxLength: Int? = nil, stride: Int? = nil, topK: Int = 5) {
        self.limit = limit
        self.batchSize = batchSize
        self.maxLength = maxLength
        self.stride = stride
        self.topK = topK
    }

    /// Parses `values` for `kind`; unknown names and values out of range are errors naming the parameter.
    public init(_ values: [String: String], for kind: TaskKind) throws(EvaluationError) {
        self.init()
        let known = kind.parameterNames.union(["limit", "batch_size"])
        for name in values.keys.sorted() where !known.contains(name) && !Self.ignored.contains(name) {
            throw EvaluationError(
                "\(kind.rawValue) has no parameter '\(name.prefix(64))' (it takes: \(known.sorted().joined(separator: ", ")))")
        }
        func integer(_ name: String, in range: ClosedRange<Int>) throws(EvaluationError) -> Int? {
            guard let text = values[name] else { return nil }
            guard let value = Int(text), range.contains(value) else {
                throw EvaluationError(
                    "parameter \(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not '\(text.prefix(32))'")
            }
            return value
        }
        limit = try integer("limit", in: 1...10_000_000)
        batchSize = try integer("batch_size", in: 1...4096) ?? batchSize
        maxLength = try integer("max_length", in: 2...1_000_000)
        stride = try integer("stride", in: 1...1_000_000)
        topK = try integer("top_k", in: 1...100) ?? topK
        if let maxLength, let stride, stride > maxLength {
            throw EvaluationError("parameter stride (\(stride)) must not exceed max_length (\(maxLength))")
        }
    }

    /// Keys a stored task config carries for the runner (which dataset file, the Slurm time limit), not for the task itself.
    public static let ignored: Set<String> = ["dataset_artifact", "dataset_file", "time_limit_minutes"]

    /// The parameters as the string map they were parsed from (defaults included), for reproducibility records.
    public func record(for kind: TaskKind) -> [String: String] {
        var values = ["batch_size": String(batchSize)]
        if let limit { values["limit"] = String(limit) }
        switch kind {
        case .perplexity:
            if let maxLength { values["max_length"] = String(maxLength) }
            if let stride { values["stride"] = String(stride) }
        case .fillMaskProbe: values["top_k"] = String(topK)
        case .multipleChoice, .stereotypePairs, .embeddingSimilarity: break
        }
        return values
    }
}
