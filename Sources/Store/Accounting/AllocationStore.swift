public import Database
public import Domain
public import Foundation

/// Grants, changes and charges allocations. Every change is one transaction that also writes the audit log;
/// charges lock the allocation row, so concurrent charges serialize and can never overspend.
public struct AllocationStore: Sendable {
    let pool: DatabasePool

    /// Creates the store over `pool`.
    public init(pool: DatabasePool) { self.pool = pool }

    /// An allocation as listings show it: with its group, resource and usage.
    public struct Listing: Sendable, Hashable {
        public let allocation: Allocation
        public let groupSlug: String
        public let groupName: String
        public let resource: ComputeResource
        public let used: Decimal
        /// Reserved by evaluation runs that are queued or running and will be charged here.
        public let committed: Decimal
        /// Granted minus used.
        public var remaining: Decimal { self.allocation.amount - self.used }
        /// Remaining minus committed: what can still be promised.
        public var available: Decimal { self.remaining - self.committed }
    }

    /// What to list.
    public struct Filter: Sendable {
        public var group: String?
        public var resource: String?
        public var status: Allocation.Status?
        public var activeOn: Date?
        public init(group: String? = nil, resource: String? = nil, status: Allocation.Status? = nil, activeOn: Date? = nil) {
            self.group = group
            self.resource = resource
            self.status = status
            self.activeOn = activeOn
        }
    }

    static let listingSelect: SQLQuery = """
        SELECT a.id, a.working_group_id, a.resource_id, a.amount, a.period_start, a.period_end, a.status, a.justification,
               a.slurm_account, a.granted_by, a.created_at,
               g.slug AS group_slug, g.name AS group_name,
               r.slug, r.name, r.kind, r.capacity_per_year, r.peak_pflops, r.power_watts_per_unit, r.carbon_g_per_kwh,
               r.slurm_cluster, r.slurm_partition, r.allow_overdraft, r.id AS rid,
               coalesce((SELECT sum(u.amount) FROM usage_records u WHERE u.allocation_id = a.id), 0) AS used,
               coalesce((SELECT sum(x.reserved_amount) FROM runs x
                          WHERE x.allocation_id = a.id AND x.status IN ('queued', 'running')), 0) AS committed
          FROM allocations a
          JOIN working_groups g ON g.id = a.working_group_id
          JOIN compute_resources r ON r.id = a.resource_id
        """

    static func listing(_ row: SQLRow) throws -> Listing {
        let resource = try ComputeResource(row: row, idColumn: "rid")
        return Listing(
            allocation: try Allocation(row: row), groupSlug: try row.decode("group_slug"), groupName: try row.decode("group_name"),
            resource: resource, used: try row.decode("used"), committed: try row.decode("committed"))
    }

    /// Allocations matching `filter`, by group, resource and start.
    public func list(_ filter: Filter = Filter()) async throws -> [Listing] {
        try await self.pool.withConnection { connection in
            if let group = filter.group { _ = try Self.groupID(slug: group, on: connection) }
            if let resource = filter.resource { _ = try Self.resourceID(slug: resource, on: connection) }
            var query = Self.listingSelect
            query.append(
                """
                 WHERE (\(filter.group)::text IS NULL OR g.slug = \(filter.group))
                   AND (\(filter.resource)::text IS NULL OR r.slug = \(filter.resource))
                   AND (\(filter.status?.rawValue)::text IS NULL OR a.status = \(filter.status?.rawValue))
                   AND (\(filter.activeOn)::timestamptz IS NULL OR
                        daterange(a.period_start, a.period_end) @> \(filter.activeOn)::date AND a.status = 'active')
                 ORDER BY g.slug, r.slug, a.period_start, a.id
                """)
            return try connection.query(query).rows.map(Self.listing)
        }
    }

    /// One allocation with its usage, or `AccountingError` if there is none.
    public func find(_ id: Identifier<Allocation>) async throws -> Listing {
        try await self.pool.withConnection { try Self.listing(id, on: $0) }
    }

    static func listing(_ id: Identifier<Allocation>, on connection: Connection) throws -> Listing {
        var query = Self.listingSelect
        query.append(" WHERE a.id = \(id)")
        guard let row = try connection.query(query).first else { throw AccountingError.unknownAllocation(id.description) }
        return try Self.listing(row)
    }

    /// Usage of an allocation per calendar month (UTC) and source, oldest first.
    public func usageByMonth(_ id: Identifier<Allocation>) async throws -> [(month: String, source: String, amount: Decimal, jobs: Int)] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT to_char(date_trunc('month', coalesce(ended_at, recorded_at)), 'YYYY-MM') AS month, source,
                       sum(amount) AS amount, count(*) AS jobs
                  FROM usage_records WHERE allocation_id = \(id)
                 GROUP BY 1, 2 ORDER BY 1, 2
                """
            ).rows.map { (try $0.decode("month"), try $0.decode("source"), try $0.decode("amount"), try $0.decode("jobs")) }
        }
    }

    /// Grants a new allocation to a group (by slug) on a resource (by slug).
    ///
    /// - Throws: `AccountingError` for an unknown group or resource (with a suggestion) or an overlapping live allocation.
    public func grant(
        group: String, resource: String, amount: Decimal, period: DatePeriod, justification: String, slurmAccount: String?,
        actor: Actor, dryRun: Bool = false
    ) async throws -> Allocation {
        do {
            return try await self.grantInTransaction(
                group: group, resource: resource, amount: amount, period: period, justification: justification, slurmAccount: slurmAccount,
                actor: actor, dryRun: dryRun)
        } catch let dry as DryRun<Allocation> {
            return dry.value
        }
    }

    private func grantInTransaction(
        group: String, resource: String, amount: Decimal, period: DatePeriod, justification: String, slurmAccount: String?,
        actor: Actor, dryRun: Bool
    ) async throws -> Allocation {
        try await self.pool.withTransaction { connection in
            let groupID = try Self.groupID(slug: group, on: connection)
            let resourceID = try Self.resourceID(slug: resource, on: connection)
            let allocation = try Allocation(
                workingGroupID: groupID, resourceID: resourceID, amount: amount, period: period, status: .active,
                justification: justification, slurmAccount: slurmAccount, grantedBy: actor.memberID)
            do {
                try ComputeStore.insert(allocation, on: connection)
            } catch let error as DatabaseError where error.isExclusionViolation {
                throw AccountingError.overlap(group: group, resource: resource)
            }
            try Self.audit("allocation.grant", allocation.id, before: nil, after: allocation, reason: justification, actor: actor, on: connection)
            if dryRun { throw DryRun(value: allocation) }
            return allocation
        }
    }

    /// Adds `delta` (may be negative) to the granted amount.
    ///
    /// - Throws: `AccountingError` when the amount would go below zero or below what is already used.
    public func adjust(_ id: Identifier<Allocation>, by delta: Decimal, reason: String, actor: Actor, dryRun: Bool = false) async throws -> Listing {
        try await self.change(id, action: "allocation.adjust", reason: reason, actor: actor, dryRun: dryRun) { listing, connection in
            let newAmount = listing.allocation.amount + delta
            guard newAmount <= Allocation.maximumAmount else {
                throw DomainValidationError(field: "by", message: "would raise the allocation above \(Allocation.maximumAmount)")
            }
            guard newAmount >= 0, newAmount >= listing.used else { throw AccountingError.belowUsed(newAmount: newAmount, used: listing.used) }
            try connection.query("UPDATE allocations SET amount = \(newAmount), updated_at = now() WHERE id = \(id)")
        }
    }

    /// Moves the end of the period later.
    public func extend(_ id: Identifier<Allocation>, to end: Date, reason: String, actor: Actor, dryRun: Bool = false) async throws -> Listing {
        try await self.change(id, action: "allocation.extend", reason: reason, actor: actor, dryRun: dryRun) { listing, connection in
            let current = listing.allocation.period.end ?? end
            guard end > current else { throw AccountingError.notLater(end, current: current) }
            do {
                try connection.query("UPDATE allocations SET period_end = \(end)::date, updated_at = now() WHERE id = \(id)")
            } catch let error as DatabaseError where error.isExclusionViolation {
                throw AccountingError.overlap(group: listing.groupSlug, resource: listing.resource.slug.rawValue)
            }
        }
    }

    /// Revokes the allocation; what was used stays recorded, nothing more can be charged.
    public func revoke(_ id: Identifier<Allocation>, reason: String, actor: Actor, dryRun: Bool = false) async throws -> Listing {
        try await self.setStatus(id, to: .revoked, action: "allocation.revoke", reason: reason, actor: actor, dryRun: dryRun)
    }

    /// Marks every active or suspended allocation whose period ended on or before `asOf` as expired, each audited.
    ///
    /// - Returns: the allocations expired (or, with `dryRun`, that would be).
    public func expire(asOf: Date, actor: Actor, dryRun: Bool = false) async throws -> [Listing] {
        do {
            return try await self.pool.withTransaction { connection in
                var query = Self.listingSelect
                query.append(" WHERE a.status IN ('active', 'suspended') AND a.period_end <= \(asOf)::date ORDER BY g.slug, r.slug FOR UPDATE OF a")
                let due = try connection.query(query).rows.map(Self.listing)
                var expired: [Listing] = []
                for listing in due {
                    let id = listing.allocation.id
                    try connection.query("UPDATE allocations SET status = 'expired', updated_at = now() WHERE id = \(id)")
                    let after = try Self.listing(id, on: connection)
                    try Self.audit(
                        "allocation.expire", id, before: listing.allocation, after: after.allocation, reason: "period ended", actor: actor,
                        on: connection)
                    expired.append(after)
                }
                if dryRun { throw DryRun(value: expired) }
                return expired
            }
        } catch let dry as DryRun<[Listing]> {
            return dry.value
        }
    }

    /// Moves the allocation to `status` if its state machine allows it.
    public func setStatus(
        _ id: Identifier<Allocation>, to status: Allocation.Status, action: String, reason: String, actor: Actor, dryRun: Bool = false
    ) async throws -> Listing {
        try await self.change(id, action: action, reason: reason, actor: actor, dryRun: dryRun) { listing, connection in
            guard listing.allocation.status.canTransition(to: status) else { throw AccountingError.transition(listing.allocation.status, status) }
            try connection.query("UPDATE allocations SET status = \(status.rawValue), updated_at = now() WHERE id = \(id)")
        }
    }

    /// Locks the allocation, applies `body`, audits before and after, in one transaction.
    func change(
        _ id: Identifier<Allocation>, action: String, reason: String, actor: Actor, dryRun: Bool,
        _ body: @escaping @Sendable (Listing, Connection) throws -> Void
    ) async throws -> Listing {
        do {
            return try await self.pool.withTransaction { connection in
                try connection.query("SELECT 1 FROM allocations WHERE id = \(id) FOR UPDATE")
                let before = try Self.listing(id, on: connection)
                try body(before, connection)
                let after = try Self.listing(id, on: connection)
                try Self.audit(action, id, before: before.allocation, after: after.allocation, reason: reason, actor: actor, on: connection)
                if dryRun { throw DryRun(value: after) }
                return after
            }
        } catch let dry as DryRun<Listing> {
            return dry.value
        }
    }

    static func audit(
        _ action: String, _ id: Identifier<Allocation>, before: Allocation?, after: Allocation?, reason: String?, actor: Actor,
        on connection: Connection
    ) throws {
        try AuditStore.record(
            try AuditEntry(
                actorID: actor.memberID, actorName: actor.name, action: action, entityType: "allocation", entityID: id.description,
                before: try before.map(AuditStore.json), after: try after.map(AuditStore.json), reason: reason),
            on: connection)
    }

    static func groupID(slug: String, on connection: Connection) throws -> Identifier<WorkingGroup> {
        if let row = try connection.query("SELECT id FROM working_groups WHERE slug = \(slug)").first { return try row.id("id") }
        let all = try connection.query("SELECT slug FROM working_groups").rows.map { try $0.decode("slug", as: String.self) }
        throw AccountingError.unknownGroup(slug, suggestion: Suggestion.closest(to: slug, in: all))
    }

    static func resourceID(slug: String, on connection: Connection) throws -> Identifier<ComputeResource> {
        if let row = try connection.query("SELECT id FROM compute_resources WHERE slug = \(slug)").first { return try row.id("id") }
        let all = try connection.query("SELECT slug FROM compute_resources").rows.map { try $0.decode("slug", as: String.self) }
        throw AccountingError.unknownResource(slug, suggestion: Suggestion.closest(to: slug, in: all))
    }
}

/// Thrown inside a transaction to roll back a `--dry-run` while returning what would have been written.
struct DryRun<Value: Sendable>: Error {
    let value: Value
}
