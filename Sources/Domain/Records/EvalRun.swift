public import Foundation

/// One evaluation of a checkpoint on a suite, from queue to result.
public struct EvalRun: Hashable, Sendable, Codable, Identifiable {
    /// queued → running → succeeded | failed | queued (retry after a lost lease); queued or running → cancelled.
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case queued, running, succeeded, failed, cancelled

        /// Whether a run may move from `self` to `next`.
        public func canTransition(to next: Status) -> Bool {
            switch (self, next) {
            case (.queued, .running), (.queued, .cancelled): true
            case (.running, .succeeded), (.running, .failed), (.running, .queued), (.running, .cancelled): true
            default: false
            }
        }

        /// Whether the run is over.
        public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    public let id: Identifier<EvalRun>
    public var workingGroupID: Identifier<WorkingGroup>
    public var checkpointID: Identifier<Artifact>
    public var suiteID: Identifier<EvaluationSuite>
    public var scheduleID: Identifier<Schedule>?
    public var dueAt: Date?
    public var status: Status
    public var attempts: Int
    public var maxAttempts: Int
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?
    public var requestedBy: Identifier<Member>?
    public var queuedAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var error: String?

    /// Creates a queued run.
    public init(
        id: Identifier<EvalRun> = .init(), workingGroupID: Identifier<WorkingGroup>, checkpointID: Identifier<Artifact>,
        suiteID: Identifier<EvaluationSuite>, scheduleID: Identifier<Schedule>? = nil, dueAt: Date? = nil, maxAttempts: Int = 3,
        requestedBy: Identifier<Member>? = nil, queuedAt: Date = Date()
    ) {
        self.id = id
        self.workingGroupID = workingGroupID
        self.checkpointID = checkpointID
        self.suiteID = suiteID
        self.scheduleID = scheduleID
        self.dueAt = dueAt
        self.status = .queued
        self.attempts = 0
        self.maxAttempts = max(1, maxAttempts)
        self.requestedBy = requestedBy
        self.queuedAt = queuedAt
    }
}
