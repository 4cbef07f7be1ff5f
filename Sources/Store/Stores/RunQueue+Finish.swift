import Database
public import Domain
public import Foundation

extension RunQueue {
    /// One metric of a task's outcome.
    public struct MetricValue: Sendable, Hashable {
        public let name: String
        public let value: Double
        public let standardError: Double?
        public let samples: Int

        public init(name: String, value: Double, standardError: Double?, samples: Int) {
            self.name = name
            self.value = value
            self.standardError = standardError
            self.samples = samples
        }
    }

    /// A task's outcome as the runner records it.
    public struct TaskResult: Sendable, Hashable {
        public let taskID: Identifier<EvaluationTask>
        public let metrics: [MetricValue]
        /// JSON object text.
        public let details: String
        /// JSON object text.
        public let reproducibility: String
        public let items: Int
        public let tokens: Int
        public let wallSeconds: Double

        public init(
            taskID: Identifier<EvaluationTask>, metrics: [MetricValue], details: String, reproducibility: String, items: Int, tokens: Int,
            wallSeconds: Double
        ) {
            self.taskID = taskID
            self.metrics = metrics
            self.details = details
            self.reproducibility = reproducibility
            self.items = items
            self.tokens = tokens
            self.wallSeconds = wallSeconds
        }
    }

    /// What a finished attempt measured.
    public struct Measurement: Sendable, Hashable {
        public let wallSeconds: Double
        public let cpuSeconds: Double
        /// JSON object text: the run's reproducibility record.
        public let reproducibility: String

        public init(wallSeconds: Double, cpuSeconds: Double, reproducibility: String) {
            self.wallSeconds = wallSeconds
            self.cpuSeconds = cpuSeconds
            self.reproducibility = reproducibility
        }

        /// CPU-hours to charge, rounded up to the ledger's 0.0001.
        var cpuHours: Decimal {
            Decimal((cpuSeconds / 3600 * 10_000).rounded(.up)) / 10_000
        }
    }

    /// Records a run's results, charges its CPU time and marks it succeeded — all in one transaction, and only while
    /// `owner` still holds the lease.
    /// - Returns: false (and writes nothing) when the run is no longer this runner's (lease lost or cancelled).
    public func complete(_ id: Identifier<EvalRun>, owner: String, results: [TaskResult], measurement: Measurement) async throws -> Bool {
        try await self.pool.withTransaction { connection in
            try Self.commitWithoutWaitingForDisk(connection)
            guard let allocation = try Self.lockHeld(id, owner: owner, on: connection) else { return false }
            for result in results {
                for metric in result.metrics {
                    try connection.query(
                        """
                        INSERT INTO results (run_id, task_id, metric, value, stderr, samples)
                        VALUES (\(id), \(result.taskID), \(metric.name), \(metric.value), \(metric.standardError), \(Int32(clamping: metric.samples)))
                        """)
                }
                try connection.query(
                    """
                    INSERT INTO run_task_outcomes (run_id, task_id, items, tokens, wall_seconds, details, reproducibility)
                    VALUES (\(id), \(result.taskID), \(Int32(clamping: result.items)), \(Int64(result.tokens)), \(result.wallSeconds),
                            \(result.details)::jsonb, \(result.reproducibility)::jsonb)
                    """)
            }
            let charged = try Self.charge(id, allocation: allocation, measurement: measurement, owner: owner, on: connection)
            try Self.finish(id, status: "succeeded", error: nil, charged: charged, measurement: measurement, owner: owner, on: connection)
            return true
        }
    }

    /// Ends an attempt that went wrong: back to the queue when `retry` and attempts remain, else failed with `error`
    /// (charging the CPU time it used).
    /// - Returns: false when the run is no longer this runner's.
    @discardableResult
    public func fail(_ id: Identifier<EvalRun>, owner: String, error: String, retry: Bool, measurement: Measurement) async throws -> Bool {
        let error = String(error.prefix(2000))
        return try await self.pool.withTransaction { connection in
            try Self.commitWithoutWaitingForDisk(connection)
            guard let allocation = try Self.lockHeld(id, owner: owner, on: connection) else { return false }
            let attempts: (Int, Int)? = try connection.query("SELECT attempts, max_attempts FROM runs WHERE id = \(id)").first.map {
                (try $0.decode("attempts"), try $0.decode("max_attempts"))
            }
            if retry, let (attempts, maximum) = attempts, attempts < maximum {
                try connection.query(
                    """
                    UPDATE runs SET status = 'queued', lease_owner = NULL, lease_expires_at = NULL, error = \(error), progress = '{}'
                     WHERE id = \(id)
                    """)
                try connection.query("SELECT pg_notify('runs_queued', \(id.description))")
                return true
            }
            let charged = try Self.charge(id, allocation: allocation, measurement: measurement, owner: owner, on: connection)
            try Self.finish(id, status: "failed", error: error, charged: charged, measurement: measurement, owner: owner, on: connection)
            return true
        }
    }

    /// Locks the run; returns its allocation (or `.some(nil)`) only while `owner` holds a running lease on it.
    private static func lockHeld(_ id: Identifier<EvalRun>, owner: String, on connection: Connection) throws -> Identifier<Allocation>?? {
        guard
            let row = try connection.query("SELECT status, lease_owner, allocation_id FROM runs WHERE id = \(id) FOR UPDATE").first,
            try row.decode("status", as: String.self) == "running", try row.decode("lease_owner", as: String?.self) == owner
        else { return nil }
        return .some(try row.optionalID("allocation_id"))
    }

    /// Charges the measured CPU-hours once per run (the run id is the usage record's external id), capped at what is
    /// left when the resource allows no overdraft: the work is done and its results must not be lost over a rounding.
    private static func charge(
        _ id: Identifier<EvalRun>, allocation: Identifier<Allocation>?, measurement: Measurement, owner: String, on connection: Connection
    ) throws -> Decimal {
        guard let allocation, measurement.cpuHours > 0 else { return 0 }
        let state = try allocationState(allocation, on: connection)
        var amount = measurement.cpuHours
        var note = "evaluation run \(id): \(String(format: "%.1f", measurement.cpuSeconds)) CPU-seconds"
        if !state.allowOverdraft, amount > state.remaining {
            amount = max(0, state.remaining)
            note += ", capped at the allocation's remaining balance"
        }
        guard amount > 0, state.status == "active" else { return 0 }
        let outcome = try AllocationStore.charge(
            AllocationStore.Charge(
                allocationID: allocation, amount: amount, source: .evaluationRunner, externalID: id.description, consumer: owner,
                endedAt: Date(), note: note),
            actor: Actor(name: "runner \(owner)"), on: connection)
        return outcome == .duplicate ? 0 : amount
    }

    private static func finish(
        _ id: Identifier<EvalRun>, status: String, error: String?, charged: Decimal, measurement: Measurement, owner: String,
        on connection: Connection
    ) throws {
        try connection.query(
            """
            UPDATE runs SET status = \(status), finished_at = now(), lease_owner = NULL, lease_expires_at = NULL, error = \(error),
                   wall_seconds = \(measurement.wallSeconds), cpu_seconds = \(measurement.cpuSeconds), charged_amount = \(charged),
                   reproducibility = \(measurement.reproducibility)::jsonb
             WHERE id = \(id)
            """)
        try AuditStore.record(
            AuditEntry(
                actorID: nil, actorName: "runner \(owner)", action: status == "succeeded" ? "run.succeed" : "run.fail", entityType: "run",
                entityID: id.description, after: try AuditStore.json(["status": status, "charged_cpu_hours": "\(charged)"]), reason: error),
            on: connection)
        try connection.query("SELECT pg_notify('runs_finished', \(id.description))")
    }
}
