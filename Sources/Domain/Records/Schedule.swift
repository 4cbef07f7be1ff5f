public import Foundation

/// "Evaluate this checkpoint (or the group's newest) on this suite on this cron schedule (or whenever the group
/// publishes a checkpoint)", owned by a working group.
public struct Schedule: Hashable, Sendable, Codable, Identifiable {
    public let id: Identifier<Schedule>
    public var workingGroupID: Identifier<WorkingGroup>
    /// A fixed checkpoint; nil follows the group's newest published checkpoint.
    public var checkpointID: Identifier<Artifact>?
    public var suiteID: Identifier<EvaluationSuite>
    /// Five-field cron expression, UTC; nil fires on every checkpoint the group publishes.
    public var cron: String?
    public var enabled: Bool
    public var nextDueAt: Date?
    public var createdBy: Identifier<Member>?

    /// Creates a schedule; `cron` must be a valid `CronExpression`, and a schedule without one must follow the newest
    /// checkpoint.
    public init(
        id: Identifier<Schedule> = .init(), workingGroupID: Identifier<WorkingGroup>, checkpointID: Identifier<Artifact>?,
        suiteID: Identifier<EvaluationSuite>, cron: String?, enabled: Bool = true, nextDueAt: Date? = nil,
        createdBy: Identifier<Member>? = nil
    ) throws(DomainValidationError) {
        if let cron {
            _ = try CronExpression(cron)
        } else if checkpointID != nil {
            throw DomainValidationError(
                field: "cron", message: "a schedule that fires on new checkpoints follows the newest one; omit the checkpoint")
        }
        self.id = id
        self.workingGroupID = workingGroupID
        self.checkpointID = checkpointID
        self.suiteID = suiteID
        self.cron = cron
        self.enabled = enabled
        self.nextDueAt = nextDueAt
        self.createdBy = createdBy
    }

    /// Whether it fires on newly published checkpoints rather than on a cron expression.
    public var firesOnNewCheckpoints: Bool { cron == nil }
}
