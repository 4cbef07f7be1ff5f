import Database
public import Domain
public import Foundation

extension AllocationStore {
    /// What became of a charge.
    public enum ChargeOutcome: Sendable, Hashable {
        /// Recorded; `overdraft` when it took the allocation below zero (only where the resource allows it).
        case charged(overdraft: Bool)
        /// This source and external id were charged before; nothing was added.
        case duplicate
    }

    /// One charge to make.
    public struct Charge: Sendable, Hashable {
        public var allocationID: Identifier<Allocation>
        public var amount: Decimal
        public var source: UsageRecord.Source
        public var externalID: String?
        public var consumer: String?
        public var startedAt: Date?
        public var endedAt: Date?
        public var note: String

        public init(
            allocationID: Identifier<Allocation>, amount: Decimal, source: UsageRecord.Source, externalID: String? = nil,
            consumer: String? = nil, startedAt: Date? = nil, endedAt: Date? = nil, note: String = ""
        ) {
            self.allocationID = allocationID
            self.amount = amount
            self.source = source
            self.externalID = externalID
            self.consumer = consumer
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.note = note
        }
    }

    /// Charges usage to an allocation, refusing to overspend.
    ///
    /// - Throws: `AccountingError` when the allocation is not active or the charge exceeds the balance on a resource
    ///   that does not allow overdraft; `DomainValidationError` for a negative amount.
    public func charge(_ charge: Charge, actor: Actor) async throws -> ChargeOutcome {
        try await self.pool.withTransaction { connection in try Self.charge(charge, actor: actor, on: connection) }
    }

    /// Charges on the caller's connection and transaction.
    static func charge(_ charge: Charge, actor: Actor, on connection: Connection) throws -> ChargeOutcome {
        let record = try UsageRecord(
            allocationID: charge.allocationID, amount: charge.amount, source: charge.source, externalID: charge.externalID,
            startedAt: charge.startedAt, endedAt: charge.endedAt, note: charge.note)
        // The row lock makes concurrent charges of one allocation take turns; the sum is read after it is held,
        // in a new statement, so it includes every charge committed before ours.
        guard
            let locked = try connection.query(
                """
                SELECT a.amount, a.status, r.allow_overdraft, r.unit FROM allocations a JOIN compute_resources r ON r.id = a.resource_id
                 WHERE a.id = \(charge.allocationID) FOR UPDATE OF a
                """
            ).first
        else { throw AccountingError.unknownAllocation(charge.allocationID.description) }
        let status: Allocation.Status = try locked.enumValue("status")
        guard status.isChargeable else { throw AccountingError.notChargeable(status) }
        if let externalID = charge.externalID,
            try connection.query("SELECT 1 FROM usage_records WHERE source = \(charge.source.rawValue) AND external_id = \(externalID)").first != nil
        {
            return .duplicate
        }
        let used: Decimal =
            try connection.query("SELECT coalesce(sum(amount), 0) AS used FROM usage_records WHERE allocation_id = \(charge.allocationID)")
            .first?.decode("used") ?? 0
        let granted: Decimal = try locked.decode("amount")
        let overdraft = used + charge.amount > granted
        if overdraft, !(try locked.decode("allow_overdraft", as: Bool.self)) {
            let unit: String = try locked.decode("unit")
            throw AccountingError.overdrawn(requested: charge.amount, remaining: granted - used, unit: unit.replacingOccurrences(of: "_", with: "-"))
        }
        try connection.query(
            """
            INSERT INTO usage_records (id, allocation_id, amount, source, external_id, started_at, ended_at, note, consumer, overdraft)
            VALUES (\(record.id), \(record.allocationID), \(record.amount), \(record.source.rawValue), \(record.externalID),
                    \(record.startedAt), \(record.endedAt), \(record.note), \(charge.consumer), \(overdraft))
            """)
        try AuditStore.record(
            try AuditEntry(
                actorID: actor.memberID, actorName: actor.name, action: "allocation.charge", entityType: "allocation",
                entityID: charge.allocationID.description, after: try AuditStore.json(record), reason: overdraft ? "overdraft" : nil),
            on: connection)
        return .charged(overdraft: overdraft)
    }
}
