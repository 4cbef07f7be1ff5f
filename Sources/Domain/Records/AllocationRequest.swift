public import Foundation

/// A group's request to change an allocation: more hours or a later end. An administrator approves or denies it.
public struct AllocationRequest: Hashable, Sendable, Codable, Identifiable {
    /// What is asked for.
    public enum Change: Hashable, Sendable, Codable {
        case increase(by: Decimal)
        case extendTo(Date)
    }

    /// Where the request stands.
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case pending, approved, denied
    }

    public let id: Identifier<AllocationRequest>
    public var allocationID: Identifier<Allocation>
    public var change: Change
    public var reason: String
    public var status: Status
    public var requestedBy: String
    public var decidedBy: String?
    public var createdAt: Date
    public var decidedAt: Date?

    /// Creates a pending request; an increase must be positive.
    public init(
        id: Identifier<AllocationRequest> = .init(), allocationID: Identifier<Allocation>, change: Change, reason: String,
        status: Status = .pending, requestedBy: String, decidedBy: String? = nil, createdAt: Date = Date(), decidedAt: Date? = nil
    ) throws(DomainValidationError) {
        if case .increase(let amount) = change, amount > Allocation.maximumAmount {
            throw DomainValidationError(field: "amount", message: "must be at most \(Allocation.maximumAmount)")
        }
        if case .increase(let amount) = change, amount <= 0 {
            throw DomainValidationError(field: "amount", message: "an increase must be more than zero")
        }
        self.id = id
        self.allocationID = allocationID
        self.change = change
        self.reason = try Text.required(reason, field: "reason", maxLength: 5000)
        self.status = status
        self.requestedBy = try Text.required(requestedBy, field: "requested_by", maxLength: 200)
        self.decidedBy = decidedBy
        self.createdAt = createdAt
        self.decidedAt = decidedAt
    }
}
