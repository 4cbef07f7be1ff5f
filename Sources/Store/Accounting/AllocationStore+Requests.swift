import Database
public import Domain
import Foundation

extension AllocationStore {
    /// Files a change request (more hours, or a later end) for an administrator to decide.
    public func request(_ request: AllocationRequest, actor: Actor) async throws {
        try await self.pool.withTransaction { connection in
            _ = try Self.listing(request.allocationID, on: connection)
            let (amount, end): (Decimal?, Date?) =
                switch request.change {
                case .increase(let by): (by, nil)
                case .extendTo(let date): (nil, date)
                }
            try connection.query(
                """
                INSERT INTO allocation_requests (id, allocation_id, kind, amount_delta, new_period_end, reason, requested_by, created_at)
                VALUES (\(request.id.uuid), \(request.allocationID), \(amount == nil ? "extension" : "increase"), \(amount), \(end)::date,
                        \(request.reason), \(request.requestedBy), \(request.createdAt))
                """)
            try AuditStore.record(
                try AuditEntry(
                    actorID: actor.memberID, actorName: actor.name, action: "allocation.request", entityType: "allocation",
                    entityID: request.allocationID.description, after: try AuditStore.json(request), reason: request.reason),
                on: connection)
        }
    }

    /// Requests still waiting for a decision, oldest first (or all, with `includeDecided`).
    public func requests(includeDecided: Bool = false) async throws -> [AllocationRequest] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT id, allocation_id, kind, amount_delta, new_period_end, reason, status, requested_by, decided_by, created_at, decided_at
                  FROM allocation_requests WHERE \(includeDecided) OR status = 'pending' ORDER BY created_at, id
                """
            ).rows.map(Self.request)
        }
    }

    /// Approves (applying the change) or denies a pending request, in one transaction with the audit entries.
    public func decide(
        _ id: Identifier<AllocationRequest>, approve: Bool, note: String, actor: Actor, dryRun: Bool = false
    ) async throws -> AllocationRequest {
        do {
            return try await self.pool.withTransaction { connection in
                guard
                    let row = try connection.query(
                        """
                        SELECT id, allocation_id, kind, amount_delta, new_period_end, reason, status, requested_by, decided_by, created_at,
                               decided_at
                          FROM allocation_requests WHERE id = \(id) FOR UPDATE
                        """
                    ).first
                else { throw AccountingError.unknownRequest(id.description) }
                var request = try Self.request(row)
                guard request.status == .pending else { throw AccountingError.alreadyDecided(request.status) }
                if approve {
                    try connection.query("SELECT 1 FROM allocations WHERE id = \(request.allocationID) FOR UPDATE")
                    let before = try Self.listing(request.allocationID, on: connection)
                    switch request.change {
                    case .increase(let by):
                        try connection.query("UPDATE allocations SET amount = amount + \(by), updated_at = now() WHERE id = \(request.allocationID)")
                    case .extendTo(let end):
                        let current = before.allocation.period.end ?? end
                        guard end > current else { throw AccountingError.notLater(end, current: current) }
                        try connection.query(
                            "UPDATE allocations SET period_end = \(end)::date, updated_at = now() WHERE id = \(request.allocationID)")
                    }
                    let after = try Self.listing(request.allocationID, on: connection)
                    try Self.audit(
                        "allocation.approve_request", request.allocationID, before: before.allocation, after: after.allocation, reason: note,
                        actor: actor, on: connection)
                } else {
                    try Self.audit(
                        "allocation.deny_request", request.allocationID, before: nil, after: nil, reason: note, actor: actor, on: connection)
                }
                let status: AllocationRequest.Status = approve ? .approved : .denied
                try connection.query(
                    """
                    UPDATE allocation_requests SET status = \(status.rawValue), decided_by = \(actor.name), decision_note = \(note), decided_at = now()
                     WHERE id = \(id)
                    """)
                request.status = status
                request.decidedBy = actor.name
                request.decidedAt = Date()
                if dryRun { throw DryRun(value: request) }
                return request
            }
        } catch let dry as DryRun<AllocationRequest> {
            return dry.value
        }
    }

    static func request(_ row: SQLRow) throws -> AllocationRequest {
        let kind: String = try row.decode("kind")
        let change: AllocationRequest.Change =
            kind == "increase" ? .increase(by: try row.decode("amount_delta")) : .extendTo(try row.decode("new_period_end"))
        return try AllocationRequest(
            id: try row.id("id"), allocationID: try row.id("allocation_id"), change: change, reason: try row.decode("reason"),
            status: try row.enumValue("status"), requestedBy: try row.decode("requested_by"), decidedBy: try row.decode("decided_by"),
            createdAt: try row.decode("created_at"), decidedAt: try row.decode("decided_at"))
    }
}
