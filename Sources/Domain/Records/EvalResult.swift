/// One metric of one task in one run.
public struct EvalResult: Hashable, Sendable, Codable, Identifiable {
    public let id: Identifier<EvalResult>
    public var runID: Identifier<EvalRun>
    public var taskID: Identifier<EvaluationTask>
    public var metric: String
    public var value: Double
    /// Standard error of the estimate, when the task can give one.
    public var standardError: Double?
    public var samples: Int?

    /// Creates a result; the value must be a number (not NaN).
    public init(
        id: Identifier<EvalResult> = .init(), runID: Identifier<EvalRun>, taskID: Identifier<EvaluationTask>, metric: String,
        value: Double, standardError: Double? = nil, samples: Int? = nil
    ) throws(DomainValidationError) {
        guard !value.isNaN else { throw DomainValidationError(field: "value", message: "must be a number, not NaN") }
        if let standardError, !(standardError >= 0) {
            throw DomainValidationError(field: "stderr", message: "must be ≥ 0")
        }
        self.id = id
        self.runID = runID
        self.taskID = taskID
        self.metric = metric
        self.value = value
        self.standardError = standardError
        self.samples = samples
    }
}
