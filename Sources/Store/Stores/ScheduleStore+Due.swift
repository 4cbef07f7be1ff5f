import Database
public import Domain
public import Foundation

extension ScheduleStore {
    /// CPU-hours a scheduled run reserves on the group's allocation (schedules do not say; one hour covers the demo
    /// suites many times over, and the charge is what the run measured).
    public static let scheduledReservation: Decimal = 1

    /// Turns every due schedule into one queued run and moves it to its next firing after `now`.
    ///
    /// Several schedulers may call this at once: schedules are claimed with `SKIP LOCKED` and a run is unique per
    /// schedule and due time, so each slot yields one run. After downtime a schedule yields one catch-up run, not one
    /// per missed slot. A run the group's allocation cannot pay for is recorded as failed, with the reason.
    /// - Returns: the runs created.
    @discardableResult
    public func queueDue(now: Date = Date(), limit: Int = 100) async throws -> [Identifier<EvalRun>] {
        try await self.pool.withTransaction { connection in
            let due = try connection.query(
                """
                SELECT id, working_group_id, checkpoint_artifact_id, suite_id, cron, next_due_at FROM schedules
                 WHERE enabled AND next_due_at <= \(now) ORDER BY next_due_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED
                """
            ).rows
            var created: [Identifier<EvalRun>] = []
            for row in due {
                let schedule: Identifier<Schedule> = try row.id("id")
                let group: Identifier<WorkingGroup> = try row.id("working_group_id")
                let checkpoint: Identifier<Artifact> = try row.id("checkpoint_artifact_id")
                let dueAt: Date = try row.decode("next_due_at")
                let suite: Identifier<EvaluationSuite> = try row.id("suite_id")
                let next = (try? CronExpression(try row.decode("cron")))?.next(after: now)
                let run = Identifier<EvalRun>()
                try connection.query("SAVEPOINT due_schedule")
                var failure: String?
                do {
                    let allocation = try RunStore.reserve(Self.scheduledReservation, group: group, on: now, connection: connection)
                    let inserted = try connection.query(
                        """
                        INSERT INTO runs (id, working_group_id, checkpoint_artifact_id, suite_id, schedule_id, due_at, status, queued_at,
                                          allocation_id, reserved_amount, checkpoint_sha256)
                        VALUES (\(run), \(group), \(checkpoint), \(suite), \(schedule), \(dueAt), 'queued',
                                \(now), \(allocation), \(Self.scheduledReservation), \(try RunStore.checkpointDigest(checkpoint, on: connection)))
                        ON CONFLICT (schedule_id, due_at) DO NOTHING RETURNING id
                        """)
                    if inserted.first != nil { created.append(run) }
                    try connection.query("RELEASE SAVEPOINT due_schedule")
                } catch let error as StoreError {
                    try connection.query("ROLLBACK TO SAVEPOINT due_schedule")
                    failure = error.detail
                }
                if let failure {
                    let inserted = try connection.query(
                        """
                        INSERT INTO runs (id, working_group_id, checkpoint_artifact_id, suite_id, schedule_id, due_at, status, queued_at,
                                          finished_at, error)
                        VALUES (\(run), \(group), \(checkpoint), \(suite), \(schedule), \(dueAt), 'failed',
                                \(now), \(now), \("not started: " + failure))
                        ON CONFLICT (schedule_id, due_at) DO NOTHING RETURNING id
                        """)
                    if inserted.first != nil { created.append(run) }
                }
                try connection.query("UPDATE schedules SET next_due_at = \(next) WHERE id = \(schedule)")
            }
            if !created.isEmpty { try connection.query("SELECT pg_notify('runs_queued', 'scheduled')") }
            return created
        }
    }
}
