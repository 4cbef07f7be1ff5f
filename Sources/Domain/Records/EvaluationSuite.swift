/// An ordered set of evaluation tasks run together against one checkpoint.
public struct EvaluationSuite: Hashable, Sendable, Codable, Identifiable {
    public let id: Identifier<EvaluationSuite>
    public var slug: String
    public var name: String
    public var description: String
    /// The tasks, in run order.
    public var taskIDs: [Identifier<EvaluationTask>]

    /// Creates a suite; a task may appear once.
    public init(
        id: Identifier<EvaluationSuite> = .init(), slug: String, name: String, description: String = "",
        taskIDs: [Identifier<EvaluationTask>]
    ) throws(DomainValidationError) {
        guard slug.wholeMatch(of: /[a-z0-9]+([._\-][a-z0-9]+)*/) != nil else {
            throw DomainValidationError(field: "slug", message: "'\(slug.prefix(80))' is not a suite slug")
        }
        guard Set(taskIDs).count == taskIDs.count else {
            throw DomainValidationError(field: "tasks", message: "a task may appear only once in a suite")
        }
        self.id = id
        self.slug = slug
        self.name = try Text.required(name, field: "name", maxLength: 200)
        self.description = description
        self.taskIDs = taskIDs
    }
}
