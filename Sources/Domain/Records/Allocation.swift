public import Foundation

/// A grant of compute on one resource to one working group for a period.
public struct Allocation: Hashable, Sendable, Codable, Identifiable {
    /// The allocation's life: requested → approved → active ⇄ suspended → expired; revoked from any live state.
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case requested, approved, active, suspended, expired, revoked

        /// Whether the allocation may move from `self` to `next`.
        public func canTransition(to next: Status) -> Bool {
            switch (self, next) {
            case (.requested, .approved), (.requested, .revoked): true
            case (.approved, .active), (.approved, .revoked): true
            case (.active, .suspended), (.active, .expired), (.active, .revoked): true
            case (.suspended, .active), (.suspended, .expired), (.suspended, .revoked): true
            default: false
            }
        }

        /// Whether usage may be charged against it.
        public var isChargeable: Bool { self == .active }
    }

    public let id: Identifier<Allocation>
    public var workingGroupID: Identifier<WorkingGroup>
    public var resourceID: Identifier<ComputeResource>
    /// Units granted (GPU-hours or CPU-hours, per the resource).
    /// The largest amount an allocation (or a change to one) can hold: what the schema's numeric(14, 2) stores.
    public static let maximumAmount: Decimal = 999_999_999_999

    public var amount: Decimal
    public var period: DatePeriod
    public var status: Status
    public var justification: String
    public var slurmAccount: String?
    public var grantedBy: Identifier<Member>?
    public var createdAt: Date

    /// Creates an allocation; the amount must be ≥ 0 and the period must have an end.
    public init(
        id: Identifier<Allocation> = .init(), workingGroupID: Identifier<WorkingGroup>, resourceID: Identifier<ComputeResource>,
        amount: Decimal, period: DatePeriod, status: Status = .active, justification: String = "", slurmAccount: String? = nil,
        grantedBy: Identifier<Member>? = nil, createdAt: Date = Date()
    ) throws(DomainValidationError) {
        guard amount >= 0 else { throw DomainValidationError(field: "amount", message: "must not be negative") }
        guard amount <= Self.maximumAmount else { throw DomainValidationError(field: "amount", message: "must be at most \(Self.maximumAmount)") }
        guard period.end != nil else { throw DomainValidationError(field: "period_end", message: "an allocation needs an end date") }
        if let slurmAccount, slurmAccount.wholeMatch(of: /[A-Za-z0-9_.\-]{1,64}/) == nil {
            throw DomainValidationError(field: "slurm_account", message: "'\(slurmAccount.prefix(70))' is not a Slurm account name")
        }
        self.id = id
        self.workingGroupID = workingGroupID
        self.resourceID = resourceID
        self.amount = amount
        self.period = period
        self.status = status
        self.justification = try Text.optional(justification, field: "justification", maxLength: 10_000)
        self.slurmAccount = slurmAccount
        self.grantedBy = grantedBy
        self.createdAt = createdAt
    }
}
