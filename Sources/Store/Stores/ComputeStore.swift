public import Database
public import Domain
public import Foundation

/// Reads and writes compute resources, allocations and usage.
public struct ComputeStore: Sendable {
    let pool: DatabasePool

    /// An allocation with what has been used of it.
    public struct Balance: Sendable, Hashable {
        public let allocation: Allocation
        public let resource: ComputeResource
        public let used: Decimal
        /// Units left (negative when overdrawn).
        public var remaining: Decimal { self.allocation.amount - self.used }
    }

    /// Inserts a resource.
    public func create(_ resource: ComputeResource) async throws {
        try await self.pool.withConnection { try Self.insert(resource, on: $0) }
    }

    /// Inserts on a caller's connection (inside its transaction).
    public static func insert(_ r: ComputeResource, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO compute_resources (id, slug, name, kind, unit, capacity_per_year, peak_pflops, power_watts_per_unit,
                                           carbon_g_per_kwh, slurm_cluster, slurm_partition, allow_overdraft)
            VALUES (\(r.id), \(r.slug), \(r.name), \(r.kind.rawValue), \(r.unit.rawValue), \(r.capacityPerYear), \(r.peakPFLOPS),
                    \(r.powerWattsPerUnit), \(r.carbonGramsPerKWh), \(r.slurmCluster), \(r.slurmPartition), \(r.allowsOverdraft))
            """)
    }

    /// Grants an allocation and records who did it in the audit log, in one transaction.
    ///
    /// - Throws: `DatabaseError` with `isExclusionViolation` when the group already holds a live allocation of the
    ///   resource for an overlapping period; `isForeignKeyViolation` for an unknown group or resource.
    public func grant(_ allocation: Allocation, by actor: Identifier<Member>?) async throws {
        try await self.pool.withTransaction { connection in
            try Self.insert(allocation, on: connection)
            try AuditStore.record(
                try AuditEntry(
                    actorID: actor, action: "allocation.grant", entityType: "allocation", entityID: allocation.id.description,
                    after: AuditStore.json(allocation)),
                on: connection)
        }
    }

    /// Inserts on a caller's connection (inside its transaction).
    public static func insert(_ a: Allocation, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO allocations (id, working_group_id, resource_id, amount, period_start, period_end, status, justification,
                                     slurm_account, granted_by, created_at)
            VALUES (\(a.id), \(a.workingGroupID), \(a.resourceID), \(a.amount), \(a.period.start), \(a.period.end), \(a.status.rawValue),
                    \(a.justification), \(a.slurmAccount), \(a.grantedBy), \(a.createdAt))
            """)
    }

    /// Charges usage to an allocation. The same `(source, externalID)` is charged once: a repeat returns false.
    public func charge(_ usage: UsageRecord) async throws -> Bool {
        try await self.pool.withConnection { try Self.insert(usage, on: $0) }
    }

    /// Inserts on a caller's connection; returns false when this external id was already charged.
    @discardableResult
    public static func insert(_ u: UsageRecord, on connection: Connection) throws -> Bool {
        try connection.query(
            """
            INSERT INTO usage_records (id, allocation_id, amount, source, external_id, started_at, ended_at, recorded_at, note)
            VALUES (\(u.id), \(u.allocationID), \(u.amount), \(u.source.rawValue), \(u.externalID), \(u.startedAt), \(u.endedAt),
                    \(u.recordedAt), \(u.note))
            ON CONFLICT (source, external_id) DO NOTHING
            """
        ).affectedRows == 1
    }

    /// Every allocation of a group with its usage so far, newest period first.
    public func balances(of group: Identifier<WorkingGroup>) async throws -> [Balance] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT a.id, a.working_group_id, a.resource_id, a.amount, a.period_start, a.period_end, a.status, a.justification,
                       a.slurm_account, a.granted_by, a.created_at,
                       r.slug, r.name, r.kind, r.capacity_per_year, r.peak_pflops, r.power_watts_per_unit, r.carbon_g_per_kwh,
                       r.slurm_cluster, r.slurm_partition, r.allow_overdraft, r.id AS rid,
                       coalesce((SELECT sum(u.amount) FROM usage_records u WHERE u.allocation_id = a.id), 0) AS used
                  FROM allocations a JOIN compute_resources r ON r.id = a.resource_id
                 WHERE a.working_group_id = \(group)
                 ORDER BY a.period_start DESC, r.slug
                """
            ).rows.map { row in
                let resource = try ComputeResource(row: row, idColumn: "rid")
                return Balance(allocation: try Allocation(row: row), resource: resource, used: try row.decode("used"))
            }
        }
    }
}
