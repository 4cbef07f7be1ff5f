import Database
import Foundation

/// The figures `/metrics` reports from the database: they describe every runner on every machine, which no single
/// process's counters could.
public struct OperationsStore: Sendable {
    let pool: DatabasePool

    /// One scrape's figures.
    public struct Figures: Sendable {
        /// Runs by status (`queued` is the queue's depth); every status appears, zero included.
        public var runsByStatus: [String: Int] = [:]
        /// Runs that ever started (a run retried after a dead runner counts once).
        public var runsStarted = 0
        /// Tokens the evaluation engine processed in all recorded task outcomes.
        public var evaluationTokens: Int64 = 0
        /// Tokens per second of wall time over the task outcomes of runs finished in the last 15 minutes (nil: none).
        public var recentTokensPerSecond: Double?
        /// Live allocations (active, today inside the period) with what has been charged to them.
        public var allocations: [Allocation] = []

        public struct Allocation: Sendable {
            public let group: String
            public let resource: String
            public let unit: String
            public let amount: Double
            public let used: Double
        }
    }

    public static let runStatuses = ["queued", "running", "succeeded", "failed", "cancelled"]

    /// Reads every figure in one statement (one round trip per scrape).
    public func figures() async throws -> Figures {
        try await self.pool.withConnection { connection in
            let rows = try connection.query(
                """
                SELECT 'runs' AS metric, status AS a, '' AS b, '' AS c, count(*)::float8 AS value, NULL::float8 AS amount FROM runs GROUP BY status
                UNION ALL
                SELECT 'runs_started', '', '', '', count(*)::float8, NULL FROM runs WHERE started_at IS NOT NULL
                UNION ALL
                SELECT 'tokens', '', '', '', coalesce(sum(tokens), 0)::float8, NULL FROM run_task_outcomes
                UNION ALL
                SELECT 'recent_tokens_per_second', '', '', '', sum(o.tokens)::float8 / nullif(sum(o.wall_seconds), 0), NULL
                  FROM run_task_outcomes o JOIN runs r ON r.id = o.run_id
                 WHERE r.finished_at > now() - interval '15 minutes'
                UNION ALL
                SELECT 'allocation', g.slug, c.slug, c.unit,
                       coalesce((SELECT sum(u.amount) FROM usage_records u WHERE u.allocation_id = a.id), 0)::float8, a.amount::float8
                  FROM allocations a
                  JOIN working_groups g ON g.id = a.working_group_id
                  JOIN compute_resources c ON c.id = a.resource_id
                 WHERE a.status = 'active' AND current_date >= a.period_start AND current_date < a.period_end
                """
            ).rows
            var figures = Figures()
            for status in Self.runStatuses { figures.runsByStatus[status] = 0 }
            for row in rows {
                let value: Double? = try row.decode("value")
                switch try row.decode("metric", as: String.self) {
                case "runs": figures.runsByStatus[try row.decode("a")] = Int(value ?? 0)
                case "runs_started": figures.runsStarted = Int(value ?? 0)
                case "tokens": figures.evaluationTokens = Int64(value ?? 0)
                case "recent_tokens_per_second": figures.recentTokensPerSecond = value
                default:
                    figures.allocations.append(
                        .init(
                            group: try row.decode("a"), resource: try row.decode("b"), unit: try row.decode("c"),
                            amount: try row.decode("amount", as: Double?.self) ?? 0, used: value ?? 0))
                }
            }
            return figures
        }
    }
}
