import Database
public import Domain
public import Foundation

/// Evaluation runs: queued by people, schedules or tooling, reserving compute on the group's CPU allocation until
/// a runner finishes them; their results per task and metric.
public struct RunStore: Sendable {
    let pool: DatabasePool

    /// A run with the names listings show and what it reserved.
    public struct Listing: Sendable, Hashable {
        public let run: EvalRun
        public let groupSlug: String
        public let checkpointSlug: String
        public let checkpointVersion: String
        public let suiteSlug: String
        public let allocationID: Identifier<Allocation>?
        public let reservedAmount: Decimal
        /// Queue time in microseconds since 1970 (with the id, the keyset cursor of listings).
        public let position: Int64
        /// SHA-256 over the checkpoint's files when the run was queued.
        public let checkpointSHA256: String?
        /// Live progress while running (JSON object text: task, task_index, tasks, done, total).
        public let progress: String
        public let wallSeconds: Double?
        public let cpuSeconds: Double?
        public let chargedAmount: Decimal?
        /// The run's reproducibility record (JSON object text; `{}` until it finishes).
        public let reproducibility: String
    }

    /// A task's outcome in a run: details and reproducibility record (JSON object text).
    public struct TaskOutcomeListing: Sendable, Hashable {
        public let taskID: Identifier<EvaluationTask>
        public let taskSlug: String
        public let kind: String
        public let items: Int
        public let tokens: Int64
        public let wallSeconds: Double
        public let details: String
        public let reproducibility: String
    }

    /// One result row with its task's slug.
    public struct ResultListing: Sendable, Hashable {
        public let result: EvalResult
        public let taskSlug: String
    }

    /// Filters of `page`.
    public struct Filter: Sendable, Hashable {
        public var group: String?
        public var status: EvalRun.Status?
        public var checkpoint: Identifier<Artifact>?
        /// Runs whose suite includes this task (slug).
        public var task: String?
        public var queuedSince: Date?
        public var queuedBefore: Date?

        public init(
            group: String? = nil, status: EvalRun.Status? = nil, checkpoint: Identifier<Artifact>? = nil, task: String? = nil,
            queuedSince: Date? = nil, queuedBefore: Date? = nil
        ) {
            self.group = group
            self.status = status
            self.checkpoint = checkpoint
            self.task = task
            self.queuedSince = queuedSince
            self.queuedBefore = queuedBefore
        }
    }

    static let columns: SQLQuery = """
        r.id, r.working_group_id, r.checkpoint_artifact_id, r.suite_id, r.schedule_id, r.due_at, r.status, r.attempts, r.max_attempts,
        r.lease_owner, r.lease_expires_at, r.requested_by, r.queued_at, r.started_at, r.finished_at, r.error, r.allocation_id,
        r.reserved_amount, g.slug AS group_slug, a.slug AS checkpoint_slug, a.version AS checkpoint_version, e.slug AS suite_slug,
        (extract(epoch FROM r.queued_at) * 1000000)::int8 AS position, r.checkpoint_sha256, r.progress::text AS progress, r.wall_seconds,
        r.cpu_seconds, r.charged_amount, r.reproducibility::text AS reproducibility
        """
    static let from: SQLQuery = """
        runs r JOIN working_groups g ON g.id = r.working_group_id JOIN artifacts a ON a.id = r.checkpoint_artifact_id
               JOIN evaluation_suites e ON e.id = r.suite_id
        """

    static func listing(_ row: SQLRow) throws -> Listing {
        var run = EvalRun(
            id: try row.id("id"), workingGroupID: try row.id("working_group_id"), checkpointID: try row.id("checkpoint_artifact_id"),
            suiteID: try row.id("suite_id"), scheduleID: try row.optionalID("schedule_id"), dueAt: try row.decode("due_at"),
            maxAttempts: try row.decode("max_attempts"), requestedBy: try row.optionalID("requested_by"), queuedAt: try row.decode("queued_at"))
        run.status = try row.enumValue("status")
        run.attempts = try row.decode("attempts")
        run.leaseOwner = try row.decode("lease_owner")
        run.leaseExpiresAt = try row.decode("lease_expires_at")
        run.startedAt = try row.decode("started_at")
        run.finishedAt = try row.decode("finished_at")
        run.error = try row.decode("error")
        return Listing(
            run: run, groupSlug: try row.decode("group_slug"), checkpointSlug: try row.decode("checkpoint_slug"),
            checkpointVersion: try row.decode("checkpoint_version"), suiteSlug: try row.decode("suite_slug"),
            allocationID: try row.optionalID("allocation_id"), reservedAmount: try row.decode("reserved_amount"),
            position: try row.decode("position"),
            checkpointSHA256: try row.decode("checkpoint_sha256"), progress: try row.decode("progress"), wallSeconds: try row.decode("wall_seconds"),
            cpuSeconds: try row.decode("cpu_seconds"), chargedAmount: try row.decode("charged_amount"),
            reproducibility: try row.decode("reproducibility"))
    }

    /// Newest first, after the keyset position of a previous page's last run.
    public func page(_ filter: Filter, after: (position: Int64, id: Identifier<EvalRun>)?, limit: Int) async throws -> [Listing] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(query: Self.columns) FROM \(query: Self.from)
                 WHERE (\(filter.group)::text IS NULL OR g.slug = \(filter.group))
                   AND (\(filter.status?.rawValue)::text IS NULL OR r.status = \(filter.status?.rawValue))
                   AND (\(filter.checkpoint)::uuid IS NULL OR r.checkpoint_artifact_id = \(filter.checkpoint))
                   AND (\(filter.task)::text IS NULL OR EXISTS (
                        SELECT 1 FROM evaluation_suite_tasks st JOIN evaluation_tasks t ON t.id = st.task_id
                         WHERE st.suite_id = r.suite_id AND t.slug = \(filter.task)))
                   AND (\(filter.queuedSince)::timestamptz IS NULL OR r.queued_at >= \(filter.queuedSince))
                   AND (\(filter.queuedBefore)::timestamptz IS NULL OR r.queued_at < \(filter.queuedBefore))
                   AND (\(after?.position)::int8 IS NULL
                        OR (r.queued_at, r.id) < (timestamptz 'epoch' + \(after?.position)::int8 * interval '1 microsecond', \(after?.id)::uuid))
                 ORDER BY r.queued_at DESC, r.id DESC LIMIT \(limit)
                """
            ).rows.map(Self.listing)
        }
    }

    /// One run, or nil.
    public func find(_ id: Identifier<EvalRun>) async throws -> Listing? {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT \(query: Self.columns) FROM \(query: Self.from) WHERE r.id = \(id)").first.map(Self.listing)
        }
    }

    /// A run's results, by task and metric.
    public func results(of id: Identifier<EvalRun>) async throws -> [ResultListing] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT x.id, x.run_id, x.task_id, x.metric, x.value, x.stderr, x.samples, t.slug AS task_slug
                  FROM results x JOIN evaluation_tasks t ON t.id = x.task_id
                 WHERE x.run_id = \(id) ORDER BY t.slug, x.metric
                """
            ).rows.map { row in
                ResultListing(
                    result: try EvalResult(
                        id: try row.id("id"), runID: try row.id("run_id"), taskID: try row.id("task_id"), metric: try row.decode("metric"),
                        value: try row.decode("value"), standardError: try row.decode("stderr"),
                        samples: try row.decode("samples", as: Int32?.self).map(Int.init)),
                    taskSlug: try row.decode("task_slug"))
            }
        }
    }

    /// A run's per-task outcomes, in suite order.
    public func outcomes(of id: Identifier<EvalRun>) async throws -> [TaskOutcomeListing] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT o.task_id, t.slug, t.kind, o.items, o.tokens, o.wall_seconds, o.details::text AS details,
                       o.reproducibility::text AS reproducibility
                  FROM run_task_outcomes o JOIN evaluation_tasks t ON t.id = o.task_id
                  JOIN runs r ON r.id = o.run_id LEFT JOIN evaluation_suite_tasks st ON st.suite_id = r.suite_id AND st.task_id = o.task_id
                 WHERE o.run_id = \(id) ORDER BY st.position NULLS LAST, t.slug
                """
            ).rows.map { row in
                TaskOutcomeListing(
                    taskID: try row.id("task_id"), taskSlug: try row.decode("slug"), kind: try row.decode("kind"),
                    items: Int(try row.decode("items", as: Int32.self)), tokens: try row.decode("tokens"),
                    wallSeconds: try row.decode("wall_seconds"),
                    details: try row.decode("details"), reproducibility: try row.decode("reproducibility"))
            }
        }
    }

    /// Queues a run of a published checkpoint, reserving `reserve` CPU-hours on the group's active CPU allocation.
    ///
    /// The allocation rows are locked while the reservation is taken, so concurrent requests cannot promise the
    /// same hours twice.
    /// - Throws: `StoreError.conflict` when the checkpoint is not published or no CPU allocation has `reserve` available.
    public func queue(
        group: Identifier<WorkingGroup>, checkpoint: Identifier<Artifact>, suite: Identifier<EvaluationSuite>, reserve: Decimal,
        now: Date = Date(), actor: Actor
    ) async throws -> Listing {
        let run = EvalRun(workingGroupID: group, checkpointID: checkpoint, suiteID: suite, requestedBy: actor.memberID, queuedAt: now)
        return try await self.pool.withTransaction { connection in
            try ScheduleStore.requirePublishedCheckpoint(checkpoint, of: group, on: connection)
            let allocation = try Self.reserve(reserve, group: group, on: now, connection: connection)
            try connection.query(
                """
                INSERT INTO runs (id, working_group_id, checkpoint_artifact_id, suite_id, status, requested_by, queued_at, allocation_id,
                                  reserved_amount, checkpoint_sha256)
                VALUES (\(run.id), \(group), \(checkpoint), \(suite), 'queued', \(run.requestedBy), \(now), \(allocation), \(reserve),
                        \(try Self.checkpointDigest(checkpoint, on: connection)))
                """)
            guard
                let listing = try connection.query("SELECT \(query: Self.columns) FROM \(query: Self.from) WHERE r.id = \(run.id)")
                    .first.map(Self.listing)
            else { throw StoreError.corruptRow("run \(run.id) vanished inside its transaction") }
            try Self.audit("run.queue", listing, before: nil, after: listing, actor: actor, on: connection)
            // Runners LISTEN on this channel, so a queued run starts without waiting for a poll.
            try connection.query("SELECT pg_notify('runs_queued', \(run.id.description))")
            return listing
        }
    }

    /// Picks the group's active CPU-hours allocation with `amount` available (granted − used − reserved by live runs),
    /// holding its row lock until the transaction ends so concurrent reservations take turns.
    /// - Throws: `StoreError.conflict` naming what is available when no allocation has enough.
    static func reserve(_ amount: Decimal, group: Identifier<WorkingGroup>, on day: Date, connection: Connection) throws -> Identifier<Allocation> {
        // Lock first, then read the balances in a new statement: a locking SELECT that waited for another reservation
        // re-checks the row it locked but keeps its own snapshot for the sums, so it would not see the run the other
        // transaction just reserved (two concurrent reservations both succeeded, rarely, that way).
        try connection.query(
            """
            SELECT a.id FROM allocations a JOIN compute_resources c ON c.id = a.resource_id
             WHERE a.working_group_id = \(group) AND a.status = 'active' AND c.unit = 'cpu_hours'
               AND daterange(a.period_start, a.period_end) @> \(day)::date
             ORDER BY a.period_end NULLS LAST, a.id
               FOR UPDATE OF a
            """)
        let candidates = try connection.query(
            """
            SELECT a.id, a.amount
                   - coalesce((SELECT sum(u.amount) FROM usage_records u WHERE u.allocation_id = a.id), 0)
                   - coalesce((SELECT sum(x.reserved_amount) FROM runs x
                                WHERE x.allocation_id = a.id AND x.status IN ('queued', 'running')), 0) AS available
              FROM allocations a JOIN compute_resources c ON c.id = a.resource_id
             WHERE a.working_group_id = \(group) AND a.status = 'active' AND c.unit = 'cpu_hours'
               AND daterange(a.period_start, a.period_end) @> \(day)::date
             ORDER BY a.period_end NULLS LAST, a.id
            """
        ).rows
        var best: Decimal = 0
        for row in candidates {
            let available: Decimal = try row.decode("available")
            best = max(best, available)
            if available >= amount { return try row.id("id") }
        }
        throw StoreError.conflict(
            candidates.isEmpty
                ? "the group has no active CPU-hours allocation to run evaluations on"
                : "the group's CPU allocation has \(best) CPU-hours available; this run reserves \(amount)")
    }

    /// SHA-256 over the checkpoint's files as sorted "path sha256" lines: what a run pins.
    static func checkpointDigest(_ checkpoint: Identifier<Artifact>, on connection: Connection) throws -> String? {
        try connection.query(
            """
            SELECT encode(sha256(convert_to(string_agg(path || ' ' || sha256, E'\\n' ORDER BY path COLLATE "C"), 'UTF8')), 'hex') AS digest
              FROM artifact_files WHERE artifact_id = \(checkpoint)
            """
        ).first?.decode("digest")
    }

    /// Cancels a queued or running run; its reservation is released (a runner holding it sees the status on renewal).
    public func cancel(_ id: Identifier<EvalRun>, reason: String, actor: Actor) async throws -> Listing {
        let reason = try Text.required(reason, field: "reason", maxLength: 2000)
        return try await self.pool.withTransaction { connection in
            guard
                let before = try connection.query("SELECT \(query: Self.columns) FROM \(query: Self.from) WHERE r.id = \(id) FOR UPDATE OF r")
                    .first.map(Self.listing)
            else { throw StoreError.notFound("run \(id)") }
            guard before.run.status.canTransition(to: .cancelled) else {
                throw StoreError.conflict("the run is \(before.run.status.rawValue) and can no longer be cancelled")
            }
            try connection.query(
                """
                UPDATE runs SET status = 'cancelled', finished_at = now(), lease_owner = NULL, lease_expires_at = NULL,
                                error = \("cancelled: " + reason)
                 WHERE id = \(id)
                """)
            guard
                let after = try connection.query("SELECT \(query: Self.columns) FROM \(query: Self.from) WHERE r.id = \(id)").first.map(Self.listing)
            else { throw StoreError.corruptRow("run \(id) vanished inside its transaction") }
            try Self.audit("run.cancel", after, before: before, after: after, reason: reason, actor: actor, on: connection)
            return after
        }
    }

    private struct AuditRecord: Encodable {
        let workingGroup: String
        let checkpoint: String
        let suite: String
        let status: String
        let allocation: String?
        let reserved: Decimal
    }

    private static func audit(
        _ action: String, _ subject: Listing, before: Listing?, after: Listing?, reason: String? = nil, actor: Actor, on connection: Connection
    ) throws {
        func record(_ l: Listing) -> AuditRecord {
            AuditRecord(
                workingGroup: l.groupSlug, checkpoint: l.run.checkpointID.description, suite: l.suiteSlug, status: l.run.status.rawValue,
                allocation: l.allocationID?.description, reserved: l.reservedAmount)
        }
        try AuditStore.record(
            AuditEntry(
                actorID: actor.memberID, actorName: actor.name, action: action, entityType: "run", entityID: subject.run.id.description,
                before: try before.map { try AuditStore.json(record($0)) }, after: try after.map { try AuditStore.json(record($0)) },
                reason: reason),
            on: connection)
    }
}
