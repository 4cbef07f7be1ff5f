public import Foundation

/// Compute used against an allocation: a Slurm job, an evaluation run, or a manual entry.
public struct UsageRecord: Hashable, Sendable, Codable, Identifiable {
    /// Where the figure came from.
    public enum Source: String, Hashable, Sendable, Codable, CaseIterable {
        case slurm, evaluationRunner = "evaluation_runner", manual, adjustment
    }

    public let id: Identifier<UsageRecord>
    public var allocationID: Identifier<Allocation>
    public var amount: Decimal
    public var source: Source
    /// The job or run id at the source; one external id is charged once.
    public var externalID: String?
    public var startedAt: Date?
    public var endedAt: Date?
    public var recordedAt: Date
    public var note: String

    /// Creates a usage record; the amount must be ≥ 0 and the end not before the start.
    public init(
        id: Identifier<UsageRecord> = .init(), allocationID: Identifier<Allocation>, amount: Decimal, source: Source,
        externalID: String? = nil, startedAt: Date? = nil, endedAt: Date? = nil, recordedAt: Date = Date(), note: String = ""
    ) throws(DomainValidationError) {
        guard amount >= 0 else { throw DomainValidationError(field: "amount", message: "must not be negative") }
        // numeric(14, 4) in the schema.
        guard amount < 10_000_000_000 else { throw DomainValidationError(field: "amount", message: "must be less than 10000000000") }
        if let startedAt, let endedAt, endedAt < startedAt {
            throw DomainValidationError(field: "ended_at", message: "must not be before started_at")
        }
        if let externalID, externalID.isEmpty || externalID.count > 200 {
            throw DomainValidationError(field: "external_id", message: "must be 1 to 200 characters")
        }
        self.id = id
        self.allocationID = allocationID
        self.amount = amount
        self.source = source
        self.externalID = externalID
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.recordedAt = recordedAt
        self.note = try Text.optional(note, field: "note", maxLength: 2000)
    }
}
