import Database
public import Domain
public import Foundation

/// The runners' side of the evaluation queue: claim a run (`FOR UPDATE SKIP LOCKED`), hold a lease, report progress,
/// and finish it — results, usage charge and status in one transaction, by the lease holder only.
public struct RunQueue: Sendable {
    let pool: DatabasePool

    /// A file a run needs: where it sits in its artifact and the content that must be there.
    public struct FileReference: Sendable, Hashable {
        public let path: String
        public let sha256: String
        public let size: Int64

        public init(path: String, sha256: String, size: Int64) {
            self.path = path
            self.sha256 = sha256
            self.size = size
        }
    }

    /// One task of a claimed run's suite, with the dataset file it reads.
    public struct TaskSpecification: Sendable, Hashable {
        public let id: Identifier<EvaluationTask>
        public let slug: String
        public let kind: String
        /// nil when the stored config is not a map of parameter names to strings.
        public let config: [String: String]?
        public let datasetArtifactID: Identifier<Artifact>?
        public let dataset: FileReference?
    }

    /// A run a runner now holds the lease of.
    public struct ClaimedRun: Sendable {
        public let id: Identifier<EvalRun>
        public let groupSlug: String
        public let checkpointID: Identifier<Artifact>
        public let checkpointSHA256: String
        public let checkpointFiles: [FileReference]
        public let suiteSlug: String
        public let tasks: [TaskSpecification]
        public let attempt: Int
        public let maxAttempts: Int
        public let reservedAmount: Decimal
        /// Watts per CPU core and grid carbon intensity (g CO2e per kWh) of the resource it is charged to.
        public let powerWattsPerUnit: Decimal
        public let carbonGramsPerKWh: Decimal
        /// The Slurm account of the allocation it is charged to (for `runner --executor slurm`).
        public let slurmAccount: String?
    }

    /// What a claim found.
    public enum Claim: Sendable {
        /// A run to execute.
        case run(ClaimedRun)
        /// A run that was failed before any work, and why (exhausted allocation, changed checkpoint).
        case refused(Identifier<EvalRun>, reason: String)
        /// Nothing is queued.
        case empty
    }

    /// What a lease renewal found.
    public enum LeaseState: Sendable, Hashable {
        case held
        /// Someone cancelled the run: stop at the next batch.
        case cancelled
        /// The lease expired and another runner took the run (or it was failed): stop, write nothing.
        case lost
    }

    /// Where a run is, for people watching it.
    public struct Progress: Sendable, Hashable, Codable {
        public var task: String
        public var taskIndex: Int
        public var tasks: Int
        public var done: Int
        public var total: Int

        public init(task: String, taskIndex: Int, tasks: Int, done: Int, total: Int) {
            self.task = task
            self.taskIndex = taskIndex
            self.tasks = tasks
            self.done = done
            self.total = total
        }
    }

    /// Requeues runs whose runner stopped renewing (failing them once they have used their attempts), then claims the
    /// oldest queued run for `owner`, failing it instead when its allocation cannot pay for it or its checkpoint
    /// changed.
    public func claim(owner: String, leaseSeconds: Int) async throws -> Claim {
        try await self.pool.withTransaction { connection in
            try Self.commitWithoutWaitingForDisk(connection)
            try connection.query(
                """
                UPDATE runs SET status = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END,
                       finished_at = CASE WHEN attempts >= max_attempts THEN now() END,
                       error = CASE WHEN attempts >= max_attempts
                                    THEN 'its runner (' || lease_owner || ') stopped renewing the lease on attempt ' || attempts || ' of ' || max_attempts
                                    ELSE error END,
                       lease_owner = NULL, lease_expires_at = NULL
                 WHERE id IN (SELECT id FROM runs WHERE status = 'running' AND lease_expires_at < now() FOR UPDATE SKIP LOCKED)
                """)
            guard
                let row = try connection.query(
                    """
                    SELECT r.id, r.checkpoint_artifact_id, r.checkpoint_sha256, r.attempts, r.max_attempts, r.reserved_amount, r.allocation_id,
                           g.slug AS group_slug, e.slug AS suite_slug, e.id AS suite_id
                      FROM runs r JOIN working_groups g ON g.id = r.working_group_id JOIN evaluation_suites e ON e.id = r.suite_id
                     WHERE r.id = (SELECT id FROM runs WHERE status = 'queued' ORDER BY queued_at, id LIMIT 1 FOR UPDATE SKIP LOCKED)
                    """
                ).first
            else { return .empty }
            let id: Identifier<EvalRun> = try row.id("id")
            let checkpoint: Identifier<Artifact> = try row.id("checkpoint_artifact_id")
            let reserved: Decimal = try row.decode("reserved_amount")
            let pinned: String? = try row.decode("checkpoint_sha256")
            let current = try RunStore.checkpointDigest(checkpoint, on: connection)
            var refusal: String?
            if pinned == nil || pinned != current {
                refusal = "the checkpoint's files are not the ones the run was queued with"
            } else if let allocation = try row.optionalID("allocation_id", as: Allocation.self) {
                refusal = try Self.allocationState(allocation, on: connection).refusal(reserving: reserved)
            } else {
                refusal = "the run has no allocation to charge"
            }
            if let refusal {
                try connection.query(
                    """
                    UPDATE runs SET status = 'failed', finished_at = now(), error = \(refusal) WHERE id = \(id)
                    """)
                return .refused(id, reason: refusal)
            }
            let attempt: Int = try row.decode("attempts") + 1
            try connection.query(
                """
                UPDATE runs SET status = 'running', attempts = \(attempt), lease_owner = \(owner),
                       lease_expires_at = now() + \(leaseSeconds) * interval '1 second', started_at = coalesce(started_at, now()),
                       progress = '{}'
                 WHERE id = \(id)
                """)
            // The digest was just read for the refusal check: a claim is the queue's hot path, so it is not read again.
            return .run(try Self.details(of: id, checkpointDigest: current, on: connection))
        }
    }

    /// The run `owner` holds the lease of, as its claim returned it: for `consortium eval exec`, which executes a run a
    /// runner claimed and handed to a Slurm job. Nil when the run is not running under `owner`'s lease.
    public func held(_ id: Identifier<EvalRun>, owner: String) async throws -> ClaimedRun? {
        try await self.pool.withConnection { connection in
            let holds =
                try connection.query(
                    "SELECT 1 AS held FROM runs WHERE id = \(id) AND status = 'running' AND lease_owner = \(owner) AND lease_expires_at > now()"
                ).first != nil
            return holds ? try Self.details(of: id, on: connection) : nil
        }
    }

    /// Everything an executor needs of a running run: checkpoint files, tasks with their datasets, attempt, resource.
    static func details(of id: Identifier<EvalRun>, checkpointDigest known: String?? = nil, on connection: Connection) throws -> ClaimedRun {
        guard
            let row = try connection.query(
                """
                SELECT r.checkpoint_artifact_id, r.attempts, r.max_attempts, r.reserved_amount, r.allocation_id,
                       g.slug AS group_slug, e.slug AS suite_slug, e.id AS suite_id
                  FROM runs r JOIN working_groups g ON g.id = r.working_group_id JOIN evaluation_suites e ON e.id = r.suite_id
                 WHERE r.id = \(id)
                """
            ).first
        else { throw StoreError.notFound("run \(id)") }
        let checkpoint: Identifier<Artifact> = try row.id("checkpoint_artifact_id")
        let current = try known ?? RunStore.checkpointDigest(checkpoint, on: connection)
        var resource: (power: Decimal, carbon: Decimal, slurmAccount: String?) = (0, 0, nil)
        if let allocation = try row.optionalID("allocation_id", as: Allocation.self) {
            let state = try Self.allocationState(allocation, on: connection)
            resource = (state.power, state.carbon, state.slurmAccount)
        }
        let files = try connection.query(
            "SELECT path, sha256, size_bytes FROM artifact_files WHERE artifact_id = \(checkpoint) ORDER BY path COLLATE \"C\""
        ).rows.map { FileReference(path: try $0.decode("path"), sha256: try $0.decode("sha256"), size: try $0.decode("size_bytes")) }
        let suite: Identifier<EvaluationSuite> = try row.id("suite_id")
        let tasks = try connection.query(
            """
            SELECT t.id, t.slug, t.kind, t.config, t.dataset_artifact_id, t.dataset_path, f.sha256, f.size_bytes
              FROM evaluation_suite_tasks st JOIN evaluation_tasks t ON t.id = st.task_id
              LEFT JOIN artifact_files f ON f.artifact_id = t.dataset_artifact_id AND f.path = t.dataset_path
             WHERE st.suite_id = \(suite) ORDER BY st.position
            """
        ).rows.map { task in
            let path: String? = try task.decode("dataset_path")
            let sha: String? = try task.decode("sha256")
            let size: Int64? = try task.decode("size_bytes")
            return TaskSpecification(
                id: try task.id("id"), slug: try task.decode("slug"), kind: try task.decode("kind"),
                // A config that is not a map of strings (written by hand in SQL) must fail this run, not every claim.
                config: try? task.decode("config", as: JSONB<[String: String]>.self).value,
                datasetArtifactID: try task.optionalID("dataset_artifact_id"),
                dataset: path.flatMap { p in sha.map { FileReference(path: p, sha256: $0, size: size ?? 0) } })
        }
        return ClaimedRun(
            id: id, groupSlug: try row.decode("group_slug"), checkpointID: checkpoint, checkpointSHA256: current ?? "",
            checkpointFiles: files, suiteSlug: try row.decode("suite_slug"), tasks: tasks, attempt: try row.decode("attempts"),
            maxAttempts: try row.decode("max_attempts"), reservedAmount: try row.decode("reserved_amount"), powerWattsPerUnit: resource.power,
            carbonGramsPerKWh: resource.carbon, slurmAccount: resource.slurmAccount)
    }

    /// Queue transactions need not wait for their commit record to reach the disk: if the database crashes before it
    /// does, the whole transaction is gone — a claim leaves the run queued, a completion leaves it running under a lease
    /// that expires — and the run is simply executed again, charged once. Waiting would serialise every worker on one
    /// fsync while it holds the group's allocation lock.
    static func commitWithoutWaitingForDisk(_ connection: Connection) throws {
        try connection.query("SET LOCAL synchronous_commit = off")
    }

    /// An allocation as a starting run sees it.
    struct AllocationState {
        let status: String
        let current: Bool
        let remaining: Decimal
        let allowOverdraft: Bool
        let power: Decimal
        let carbon: Decimal
        let slurmAccount: String?

        func refusal(reserving reserved: Decimal) -> String? {
            if status != "active" { return "the group's CPU allocation is \(status)" }
            if !current { return "the group's CPU allocation period is over" }
            if remaining <= 0 || (remaining < reserved && !allowOverdraft) {
                return "the group's CPU allocation is exhausted: \(max(0, remaining)) CPU-hours remain, the run reserved \(reserved)"
            }
            return nil
        }
    }

    static func allocationState(_ id: Identifier<Allocation>, on connection: Connection) throws -> AllocationState {
        guard
            let row = try connection.query(
                """
                SELECT a.status, daterange(a.period_start, a.period_end) @> current_date AS current,
                       a.amount - coalesce((SELECT sum(u.amount) FROM usage_records u WHERE u.allocation_id = a.id), 0) AS remaining,
                       c.allow_overdraft, c.power_watts_per_unit, c.carbon_g_per_kwh, a.slurm_account
                  FROM allocations a JOIN compute_resources c ON c.id = a.resource_id WHERE a.id = \(id)
                """
            ).first
        else { throw StoreError.notFound("allocation \(id)") }
        return AllocationState(
            status: try row.decode("status"), current: try row.decode("current"), remaining: try row.decode("remaining"),
            allowOverdraft: try row.decode("allow_overdraft"), power: try row.decode("power_watts_per_unit"),
            carbon: try row.decode("carbon_g_per_kwh"), slurmAccount: try row.decode("slurm_account"))
    }

    /// Extends the lease and records progress; tells the runner whether to go on.
    public func renew(_ id: Identifier<EvalRun>, owner: String, leaseSeconds: Int, progress: Progress?) async throws -> LeaseState {
        try await self.pool.withConnection { connection in
            let renewed = try connection.query(
                """
                UPDATE runs SET lease_expires_at = now() + \(leaseSeconds) * interval '1 second',
                       progress = coalesce(\(progress.map(JSONB.init)), progress)
                 WHERE id = \(id) AND status = 'running' AND lease_owner = \(owner)
                RETURNING id
                """)
            if renewed.first != nil { return .held }
            let status: String? = try connection.query("SELECT status FROM runs WHERE id = \(id)").first?.decode("status")
            return status == "cancelled" ? .cancelled : .lost
        }
    }

    /// Gives a run back to the queue without counting the attempt (a runner shutting down cleanly).
    public func release(_ id: Identifier<EvalRun>, owner: String) async throws {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                UPDATE runs SET status = 'queued', attempts = greatest(attempts - 1, 0), lease_owner = NULL, lease_expires_at = NULL,
                       progress = '{}'
                 WHERE id = \(id) AND status = 'running' AND lease_owner = \(owner)
                """)
            try connection.query("SELECT pg_notify('runs_queued', \(id.description))")
        }
    }

    /// Runs per status (for `--until-idle`, metrics and tests).
    public func counts() async throws -> [EvalRun.Status: Int] {
        try await self.pool.withConnection { connection in
            var counts: [EvalRun.Status: Int] = [:]
            for row in try connection.query("SELECT status, count(*)::int8 AS n FROM runs GROUP BY status").rows {
                counts[try row.enumValue("status")] = Int(try row.decode("n", as: Int64.self))
            }
            return counts
        }
    }
}
