public import Database
public import Domain

/// Reads and writes evaluation tasks and suites (runs and results arrive with the runner).
public struct EvaluationStore: Sendable {
    let pool: DatabasePool

    /// Inserts a task.
    public func create(_ task: EvaluationTask) async throws {
        try await self.pool.withConnection { try Self.insert(task, on: $0) }
    }

    /// Inserts on a caller's connection (inside its transaction).
    public static func insert(_ t: EvaluationTask, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO evaluation_tasks (id, slug, name, kind, description, config, metrics, dataset_artifact_id, dataset_path)
            VALUES (\(t.id), \(t.slug), \(t.name), \(t.kind.rawValue), \(t.description), \(JSONB(t.config)), \(t.metrics),
                    \(t.datasetArtifactID), \(t.datasetPath))
            """)
    }

    /// Inserts a suite and its ordered task list in one transaction.
    public func create(_ suite: EvaluationSuite) async throws {
        try await self.pool.withTransaction { try Self.insert(suite, on: $0) }
    }

    /// Inserts on a caller's connection (inside its transaction).
    public static func insert(_ s: EvaluationSuite, on connection: Connection) throws {
        try connection.query(
            "INSERT INTO evaluation_suites (id, slug, name, description) VALUES (\(s.id), \(s.slug), \(s.name), \(s.description))")
        for (position, taskID) in s.taskIDs.enumerated() {
            try connection.query(
                "INSERT INTO evaluation_suite_tasks (suite_id, task_id, position) VALUES (\(s.id), \(taskID), \(position))")
        }
    }

    /// The suite with `slug` and its tasks in order, or nil.
    public func suite(slug: String) async throws -> EvaluationSuite? {
        try await self.pool.withConnection { connection in
            guard let row = try connection.query("SELECT id, slug, name, description FROM evaluation_suites WHERE slug = \(slug)").first else {
                return nil
            }
            let id: Identifier<EvaluationSuite> = try row.id("id")
            let tasks: [Identifier<EvaluationTask>] = try connection.query(
                "SELECT task_id FROM evaluation_suite_tasks WHERE suite_id = \(id) ORDER BY position"
            ).rows.map { try $0.id("task_id") }
            return try EvaluationSuite(
                id: id, slug: try row.decode("slug"), name: try row.decode("name"), description: try row.decode("description"), taskIDs: tasks)
        }
    }

    /// Every suite with its tasks' slugs in order, by slug.
    public func suites() async throws -> [(suite: EvaluationSuite, taskSlugs: [String])] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT s.id, s.slug, s.name, s.description,
                       coalesce(array_agg(t.id::text ORDER BY st.position) FILTER (WHERE t.id IS NOT NULL), '{}') AS task_ids,
                       coalesce(array_agg(t.slug ORDER BY st.position) FILTER (WHERE t.id IS NOT NULL), '{}') AS task_slugs
                  FROM evaluation_suites s
                  LEFT JOIN evaluation_suite_tasks st ON st.suite_id = s.id
                  LEFT JOIN evaluation_tasks t ON t.id = st.task_id
                 GROUP BY s.id ORDER BY s.slug
                """
            ).rows.map { row in
                let ids: [String] = try row.decode("task_ids")
                let suite = try EvaluationSuite(
                    id: try row.id("id"), slug: try row.decode("slug"), name: try row.decode("name"), description: try row.decode("description"),
                    taskIDs: ids.compactMap { Identifier<EvaluationTask>($0) })
                return (suite, try row.decode("task_slugs"))
            }
        }
    }
}
