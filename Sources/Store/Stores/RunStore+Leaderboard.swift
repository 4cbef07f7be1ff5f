import Database
public import Domain
public import Foundation

extension RunStore {
    /// A checkpoint's latest succeeded result for one task and metric.
    public struct Standing: Sendable, Hashable {
        public let checkpointID: Identifier<Artifact>
        public let checkpointSlug: String
        public let checkpointVersion: String
        /// When the checkpoint was published (its place in the group's series).
        public let checkpointDate: Date
        public let taskSlug: String
        public let metric: String
        public let value: Double
        public let standardError: Double?
        public let samples: Int?
        public let runID: Identifier<EvalRun>
        public let finishedAt: Date
    }

    /// The group's leaderboard: for every checkpoint × task × metric, the result of the latest succeeded run, optionally
    /// for one task and metric; ordered by task, metric, then the checkpoint series.
    public func standings(group: String, task: String? = nil, metric: String? = nil) async throws -> [Standing] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT DISTINCT ON (t.slug, x.metric, r.checkpoint_artifact_id)
                       r.checkpoint_artifact_id, a.slug AS checkpoint_slug, a.version, coalesce(a.published_at, a.created_at) AS checkpoint_date,
                       t.slug AS task_slug, x.metric, x.value, x.stderr, x.samples, r.id AS run_id, r.finished_at
                  FROM results x JOIN runs r ON r.id = x.run_id JOIN evaluation_tasks t ON t.id = x.task_id
                  JOIN artifacts a ON a.id = r.checkpoint_artifact_id JOIN working_groups g ON g.id = r.working_group_id
                 WHERE g.slug = \(group) AND r.status = 'succeeded'
                   AND (\(task)::text IS NULL OR t.slug = \(task)) AND (\(metric)::text IS NULL OR x.metric = \(metric))
                 ORDER BY t.slug, x.metric, r.checkpoint_artifact_id, r.finished_at DESC, r.id DESC
                """
            ).rows.map { row in
                Standing(
                    checkpointID: try row.id("checkpoint_artifact_id"), checkpointSlug: try row.decode("checkpoint_slug"),
                    checkpointVersion: try row.decode("version"), checkpointDate: try row.decode("checkpoint_date"),
                    taskSlug: try row.decode("task_slug"),
                    metric: try row.decode("metric"), value: try row.decode("value"), standardError: try row.decode("stderr"),
                    samples: try row.decode("samples", as: Int32?.self).map(Int.init), runID: try row.id("run_id"),
                    finishedAt: try row.decode("finished_at"))
            }
            .sorted {
                ($0.taskSlug, $0.metric, $0.checkpointDate, $0.checkpointSlug) < ($1.taskSlug, $1.metric, $1.checkpointDate, $1.checkpointSlug)
            }
        }
    }

    /// The group's regression thresholds, keyed by "task/metric".
    public func thresholds(group: String) async throws -> [String: Double] {
        try await self.pool.withConnection { connection in
            var thresholds: [String: Double] = [:]
            for row in try connection.query(
                """
                SELECT t.slug, r.metric, r.threshold FROM regression_thresholds r
                  JOIN evaluation_tasks t ON t.id = r.task_id JOIN working_groups g ON g.id = r.working_group_id
                 WHERE g.slug = \(group)
                """
            ).rows {
                thresholds["\(try row.decode("slug", as: String.self))/\(try row.decode("metric", as: String.self))"] = try row.decode("threshold")
            }
            return thresholds
        }
    }

    /// Sets (or with nil, removes) the group's threshold for a task's metric.
    /// - Throws: `StoreError.notFound` for an unknown group or task.
    public func setThreshold(group: Identifier<WorkingGroup>, task: String, metric: String, threshold: Double?, actor: Actor) async throws {
        try await self.pool.withTransaction { connection in
            guard
                let taskID = try connection.query("SELECT id FROM evaluation_tasks WHERE slug = \(task)").first.map({
                    try $0.id("id", as: EvaluationTask.self)
                })
            else { throw StoreError.notFound("evaluation task '\(task)'") }
            let before: Double? = try connection.query(
                "SELECT threshold FROM regression_thresholds WHERE working_group_id = \(group) AND task_id = \(taskID) AND metric = \(metric) FOR UPDATE"
            ).first?.decode("threshold")
            if let threshold {
                try connection.query(
                    """
                    INSERT INTO regression_thresholds (working_group_id, task_id, metric, threshold) VALUES (\(group), \(taskID), \(metric), \(threshold))
                    ON CONFLICT (working_group_id, task_id, metric) DO UPDATE SET threshold = EXCLUDED.threshold, updated_at = now()
                    """)
            } else {
                try connection.query(
                    "DELETE FROM regression_thresholds WHERE working_group_id = \(group) AND task_id = \(taskID) AND metric = \(metric)")
            }
            try AuditStore.record(
                AuditEntry(
                    actorID: actor.memberID, actorName: actor.name, action: "regression_threshold.set", entityType: "working_group",
                    entityID: group.description,
                    before: try before.map { try AuditStore.json(["task": task, "metric": metric, "threshold": "\($0)"]) },
                    after: try threshold.map { try AuditStore.json(["task": task, "metric": metric, "threshold": "\($0)"]) }),
                on: connection)
        }
    }
}
