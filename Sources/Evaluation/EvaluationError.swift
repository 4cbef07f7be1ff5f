/// Why a task could not score a checkpoint: bad parameters, a malformed dataset line, or a model that cannot do it.
public struct EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A human-readable explanation naming the parameter, dataset line or model concerned.
    public let detail: String

    /// Creates an error with its explanation.
    public init(_ detail: String) { self.detail = detail }

    public var description: String { detail }

    /// A dataset line that does not fit the task's format.
    static func dataset(_ file: String, line: Int, _ message: String) -> EvaluationError {
        EvaluationError("\(file):\(line): \(message)")
    }
}

/// Thrown out of a progress callback to stop a task between batches (a cancelled run).
public struct EvaluationStopped: Error, Hashable, Sendable {
    /// Why it stopped.
    public let reason: String

    /// Creates the signal.
    public init(reason: String) { self.reason = reason }
}
