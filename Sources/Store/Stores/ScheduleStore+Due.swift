import Database
public import Domain
public import Foundation

extension ScheduleStore {
    /// CPU-hours a scheduled run reserves on the group's allocation (schedules do not say; one hour covers the demo
    /// suites many times over, and the charge is what the run measured).
    public static let scheduledReservation: Decimal = 1

    /// Turns every due cron schedule into one queued run and moves it to its next firing after `now`.
    ///
    /// Several schedulers may call this at once: schedules are claimed with `SKIP LOCKED` and a run is unique per
    /// schedule and due time, so each slot yields one run. After downtime a schedule yields one catch-up run, not one
    /// per missed slot. A schedule that follows the newest checkpoint evaluates the group's newest published one at that
    /// moment. A run the group's allocation cannot pay for is recorded as failed, with the reason.
    /// - Returns: the runs created.
    @discardableResult
    public func queueDue(now: Date = Date(), limit: Int = 100) async throws -> [Identifier<EvalRun>] {
        try await self.pool.withTransaction { connection in
            let due = try connection.query(
                """
                SELECT id, working_group_id, checkpoint_artifact_id, suite_id, cron, next_due_at FROM schedules
                 WHERE enabled AND cron IS NOT NULL AND next_due_at <= \(now) ORDER BY next_due_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """
            ).rows
            var created: [Identifier<EvalRun>] = []
            for row in due {
                let schedule: Identifier<Schedule> = try row.id("id")
                let group: Identifier<WorkingGroup> = try row.id("working_group_id")
                let next = (try? CronExpression(try row.decode("cron")))?.next(after: now)
                let checkpoint = try row.optionalID("checkpoint_artifact_id", as: Artifact.self) ?? Self.newestCheckpoint(of: group, on: connection)
                if let checkpoint,
                    let run = try Self.queueScheduledRun(
                        schedule: schedule, group: group, checkpoint: checkpoint, suite: try row.id("suite_id"), dueAt: try row.decode("next_due_at"),
                        now: now, on: connection)
                {
                    created.append(run)
                }
                try connection.query("UPDATE schedules SET next_due_at = \(next) WHERE id = \(schedule)")
            }
            if !created.isEmpty { try connection.query("SELECT pg_notify('runs_queued', 'scheduled')") }
            return created
        }
    }

    /// Queues a run of a just-published checkpoint for each of its group's enabled on-new-checkpoint schedules, on the
    /// publishing transaction (so a checkpoint is published and scheduled together, or neither).
    static func queueForNewCheckpoint(_ checkpoint: Identifier<Artifact>, group: Identifier<WorkingGroup>, on connection: Connection) throws {
        let schedules = try connection.query(
            "SELECT id, suite_id FROM schedules WHERE working_group_id = \(group) AND cron IS NULL AND enabled ORDER BY id"
        ).rows
        var created = false
        for row in schedules {
            let run = try Self.queueScheduledRun(
                schedule: try row.id("id"), group: group, checkpoint: checkpoint, suite: try row.id("suite_id"), dueAt: nil, now: Date(),
                on: connection)
            created = created || run != nil
        }
        if created { try connection.query("SELECT pg_notify('runs_queued', 'new_checkpoint')") }
    }

    /// The group's most recently published checkpoint, if any.
    static func newestCheckpoint(of group: Identifier<WorkingGroup>, on connection: Connection) throws -> Identifier<Artifact>? {
        try connection.query(
            """
            SELECT id FROM artifacts WHERE working_group_id = \(group) AND kind = 'checkpoint' AND status = 'published'
             ORDER BY published_at DESC NULLS LAST, created_at DESC, id DESC LIMIT 1
            """
        ).first?.id("id")
    }

    /// Inserts one scheduled run (queued with its reservation, or failed with the reason the allocation gave), unless the
    /// schedule already produced one for this due time (or, without a due time, for this checkpoint).
    private static func queueScheduledRun(
        schedule: Identifier<Schedule>, group: Identifier<WorkingGroup>, checkpoint: Identifier<Artifact>, suite: Identifier<EvaluationSuite>,
        dueAt: Date?, now: Date, on connection: Connection
    ) throws -> Identifier<EvalRun>? {
        let run = Identifier<EvalRun>()
        let conflict: SQLQuery =
            dueAt == nil
            ? "ON CONFLICT (schedule_id, checkpoint_artifact_id) WHERE due_at IS NULL AND schedule_id IS NOT NULL DO NOTHING"
            : "ON CONFLICT (schedule_id, due_at) DO NOTHING"
        try connection.query("SAVEPOINT scheduled_run")
        do {
            let allocation = try RunStore.reserve(Self.scheduledReservation, group: group, on: now, connection: connection)
            let inserted = try connection.query(
                """
                INSERT INTO runs (id, working_group_id, checkpoint_artifact_id, suite_id, schedule_id, due_at, status, queued_at, allocation_id,
                                  reserved_amount, checkpoint_sha256)
                VALUES (\(run), \(group), \(checkpoint), \(suite), \(schedule), \(dueAt), 'queued', \(now), \(allocation),
                        \(Self.scheduledReservation), \(try RunStore.checkpointDigest(checkpoint, on: connection)))
                \(query: conflict) RETURNING id
                """)
            try connection.query("RELEASE SAVEPOINT scheduled_run")
            return inserted.first == nil ? nil : run
        } catch let error as StoreError {
            try connection.query("ROLLBACK TO SAVEPOINT scheduled_run")
            let inserted = try connection.query(
                """
                INSERT INTO runs (id, working_group_id, checkpoint_artifact_id, suite_id, schedule_id, due_at, status, queued_at, finished_at, error)
                VALUES (\(run), \(group), \(checkpoint), \(suite), \(schedule), \(dueAt), 'failed', \(now), \(now), \("not started: " + error.detail))
                \(query: conflict) RETURNING id
                """)
            return inserted.first == nil ? nil : run
        }
    }
}
