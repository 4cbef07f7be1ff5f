public import Foundation

/// "Evaluate this checkpoint on this suite on this cron schedule", owned by a working group.
public struct Schedule: Hashable, Sendable, Codable, Identifiable {
    public let id: Identifier<Schedule>
    public var workingGroupID: Identifier<WorkingGroup>
    public var checkpointID: Identifier<Artifact>
    public var suiteID: Identifier<EvaluationSuite>
    /// Five-field cron expression, UTC.
    public var cron: String
    public var enabled: Bool
    public var nextDueAt: Date?
    public var createdBy: Identifier<Member>?

    /// Creates a schedule; `cron` must be a valid `CronExpression`.
    public init(
        id: Identifier<Schedule> = .init(), workingGroupID: Identifier<WorkingGroup>, checkpointID: Identifier<Artifact>,
        suiteID: Identifier<EvaluationSuite>, cron: String, enabled: Bool = true, nextDueAt: Date? = nil,
        createdBy: Identifier<Member>? = nil
    ) throws(DomainValidationError) {
        _ = try CronExpression(cron)
        self.id = id
        self.workingGroupID = workingGroupID
        self.checkpointID = checkpointID
        self.suiteID = suiteID
        self.cron = cron
        self.enabled = enabled
        self.nextDueAt = nextDueAt
        self.createdBy = createdBy
    }
}
