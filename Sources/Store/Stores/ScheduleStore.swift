import Database
public import Domain
public import Foundation

/// "Evaluate this checkpoint on this suite on this cron schedule", per working group.
public struct ScheduleStore: Sendable {
    let pool: DatabasePool

    /// A schedule with the names listings show.
    public struct Listing: Sendable, Hashable {
        public let schedule: Schedule
        public let groupSlug: String
        /// The fixed checkpoint's slug and version (nil when the schedule follows the newest).
        public let checkpointSlug: String?
        public let checkpointVersion: String?
        public let suiteSlug: String
        public let createdAt: Date
    }

    /// Checked with the schedule locked, before a change (the API's `If-Match`).
    public typealias Precondition = @Sendable (Listing) throws -> Void

    static let columns: SQLQuery = """
        s.id, s.working_group_id, s.checkpoint_artifact_id, s.suite_id, s.cron, s.enabled, s.next_due_at, s.created_by, s.created_at,
        g.slug AS group_slug, a.slug AS checkpoint_slug, a.version AS checkpoint_version, e.slug AS suite_slug
        """
    static let from: SQLQuery = """
        schedules s JOIN working_groups g ON g.id = s.working_group_id LEFT JOIN artifacts a ON a.id = s.checkpoint_artifact_id
                    JOIN evaluation_suites e ON e.id = s.suite_id
        """

    static func listing(_ row: SQLRow) throws -> Listing {
        Listing(
            schedule: try Schedule(
                id: try row.id("id"), workingGroupID: try row.id("working_group_id"), checkpointID: try row.optionalID("checkpoint_artifact_id"),
                suiteID: try row.id("suite_id"), cron: try row.decode("cron"), enabled: try row.decode("enabled"),
                nextDueAt: try row.decode("next_due_at"), createdBy: try row.optionalID("created_by")),
            groupSlug: try row.decode("group_slug"), checkpointSlug: try row.decode("checkpoint_slug"),
            checkpointVersion: try row.decode("checkpoint_version"), suiteSlug: try row.decode("suite_slug"), createdAt: try row.decode("created_at"))
    }

    /// Schedules ordered by id, optionally of one group.
    public func page(group: String?, after: Identifier<Schedule>?, limit: Int) async throws -> [Listing] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(query: Self.columns) FROM \(query: Self.from)
                 WHERE (\(group)::text IS NULL OR g.slug = \(group)) AND (\(after)::uuid IS NULL OR s.id > \(after))
                 ORDER BY s.id LIMIT \(limit)
                """
            ).rows.map(Self.listing)
        }
    }

    /// One schedule, or nil.
    public func find(_ id: Identifier<Schedule>) async throws -> Listing? {
        try await self.pool.withConnection { connection in try Self.find(id, on: connection, lock: false) }
    }

    static func find(_ id: Identifier<Schedule>, on connection: Connection, lock: Bool) throws -> Listing? {
        let lockClause: SQLQuery = lock ? "FOR UPDATE OF s" : ""
        return try connection.query("SELECT \(query: Self.columns) FROM \(query: Self.from) WHERE s.id = \(id) \(query: lockClause)")
            .first.map(Self.listing)
    }

    /// Creates a schedule for a published checkpoint of the group (nil: whichever is newest when it fires); its first due
    /// time is the cron's next firing after `now` (none for a schedule that fires on new checkpoints, `cron` nil).
    ///
    /// - Throws: `StoreError.conflict` for a checkpoint that is not a published checkpoint of the group, or an identical
    ///   schedule; `DomainValidationError` for a fixed checkpoint without a cron expression.
    public func create(
        group: Identifier<WorkingGroup>, checkpoint: Identifier<Artifact>?, suite: Identifier<EvaluationSuite>, cron: CronExpression?,
        enabled: Bool, now: Date = Date(), actor: Actor
    ) async throws -> Listing {
        let schedule = try Schedule(
            workingGroupID: group, checkpointID: checkpoint, suiteID: suite, cron: cron?.description, enabled: enabled,
            nextDueAt: enabled ? cron?.next(after: now) : nil, createdBy: actor.memberID)
        return try await self.pool.withTransaction { connection in
            if let checkpoint { try Self.requirePublishedCheckpoint(checkpoint, of: group, on: connection) }
            do {
                try connection.query(
                    """
                    INSERT INTO schedules (id, working_group_id, checkpoint_artifact_id, suite_id, cron, enabled, next_due_at, created_by)
                    VALUES (\(schedule.id), \(group), \(checkpoint), \(suite), \(schedule.cron), \(enabled), \(schedule.nextDueAt),
                            \(schedule.createdBy))
                    """)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw StoreError.conflict(
                    checkpoint == nil
                        ? "the group already follows its newest checkpoint with this suite and trigger"
                        : "this checkpoint already has a schedule with this suite and cron expression")
            }
            let listing = try Self.require(schedule.id, on: connection)
            try Self.audit("schedule.create", listing, before: nil, after: listing, actor: actor, on: connection)
            return listing
        }
    }

    /// Changes the cron expression and/or pauses or resumes; the next due time is recomputed.
    public func update(
        _ id: Identifier<Schedule>, cron: CronExpression?, enabled: Bool?, now: Date = Date(), precondition: Precondition?, actor: Actor
    ) async throws -> Listing {
        try await self.pool.withTransaction { connection in
            guard let before = try Self.find(id, on: connection, lock: true) else { throw StoreError.notFound("schedule \(id)") }
            try precondition?(before)
            let expression = try cron ?? before.schedule.cron.map { try CronExpression($0) }
            let isEnabled = enabled ?? before.schedule.enabled
            do {
                try connection.query(
                    """
                    UPDATE schedules SET cron = \(expression?.description), enabled = \(isEnabled),
                                         next_due_at = \(isEnabled ? expression?.next(after: now) : nil)
                     WHERE id = \(id)
                    """)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw StoreError.conflict("this checkpoint already has a schedule with this suite and cron expression")
            }
            let after = try Self.require(id, on: connection)
            try Self.audit("schedule.update", after, before: before, after: after, actor: actor, on: connection)
            return after
        }
    }

    /// Deletes a schedule; runs it created keep their record (their schedule link becomes empty).
    public func delete(_ id: Identifier<Schedule>, precondition: Precondition?, actor: Actor) async throws {
        try await self.pool.withTransaction { connection in
            guard let before = try Self.find(id, on: connection, lock: true) else { throw StoreError.notFound("schedule \(id)") }
            try precondition?(before)
            try connection.query("DELETE FROM schedules WHERE id = \(id)")
            try Self.audit("schedule.delete", before, before: before, after: nil, actor: actor, on: connection)
        }
    }

    // MARK: Helpers

    static func requirePublishedCheckpoint(_ id: Identifier<Artifact>, of group: Identifier<WorkingGroup>? = nil, on connection: Connection) throws {
        guard let row = try connection.query("SELECT kind, status, working_group_id FROM artifacts WHERE id = \(id)").first else {
            throw StoreError.notFound("artifact \(id)")
        }
        if let group, try row.id("working_group_id", as: WorkingGroup.self) != group {
            throw StoreError.conflict("a group schedules evaluations of its own checkpoints; this one belongs to another group")
        }
        let kind: String = try row.decode("kind")
        let status: String = try row.decode("status")
        guard kind == Artifact.Kind.checkpoint.rawValue, status == Artifact.Status.published.rawValue else {
            throw StoreError.conflict("only published checkpoints are evaluated (this artifact is a \(status) \(kind))")
        }
    }

    private static func require(_ id: Identifier<Schedule>, on connection: Connection) throws -> Listing {
        guard let listing = try Self.find(id, on: connection, lock: false) else { throw StoreError.notFound("schedule \(id)") }
        return listing
    }

    private struct AuditRecord: Encodable {
        let workingGroup: String
        let checkpoint: String
        let suite: String
        let cron: String?
        let enabled: Bool
    }

    private static func audit(_ action: String, _ subject: Listing, before: Listing?, after: Listing?, actor: Actor, on connection: Connection) throws
    {
        func record(_ l: Listing) -> AuditRecord {
            AuditRecord(
                workingGroup: l.groupSlug, checkpoint: l.schedule.checkpointID?.description ?? "newest", suite: l.suiteSlug, cron: l.schedule.cron,
                enabled: l.schedule.enabled)
        }
        try AuditStore.record(
            AuditEntry(
                actorID: actor.memberID, actorName: actor.name, action: action, entityType: "schedule", entityID: subject.schedule.id.description,
                before: try before.map { try AuditStore.json(record($0)) }, after: try after.map { try AuditStore.json(record($0)) }),
            on: connection)
    }
}
