import Database
public import Domain
public import Foundation

/// The Slurm batch jobs runs were executed as: one per attempt, with the state and accounting Slurm reported.
public struct SlurmJobStore: Sendable {
    let pool: DatabasePool

    /// One job, as recorded.
    public struct Job: Sendable, Hashable, Codable {
        public var runID: Identifier<EvalRun>
        public var attempt: Int
        public var jobID: String
        public var account: String
        public var partition: String?
        public var timeLimitMinutes: Int
        public var state: String
        public var exitCode: String?
        public var elapsedSeconds: Double?
        public var cpuSeconds: Double?
        public var submittedAt: Date

        public init(
            runID: Identifier<EvalRun>, attempt: Int, jobID: String, account: String, partition: String?, timeLimitMinutes: Int,
            state: String = "PENDING", exitCode: String? = nil, elapsedSeconds: Double? = nil, cpuSeconds: Double? = nil,
            submittedAt: Date = Date()
        ) {
            self.runID = runID
            self.attempt = attempt
            self.jobID = jobID
            self.account = account
            self.partition = partition
            self.timeLimitMinutes = timeLimitMinutes
            self.state = state
            self.exitCode = exitCode
            self.elapsedSeconds = elapsedSeconds
            self.cpuSeconds = cpuSeconds
            self.submittedAt = submittedAt
        }
    }

    /// Records a job just submitted for `job.attempt` of its run.
    public func submitted(_ job: Job) async throws {
        try await self.pool.query(
            """
            INSERT INTO run_slurm_jobs (run_id, attempt, job_id, account, partition, time_limit_minutes, state)
            VALUES (\(job.runID), \(job.attempt), \(job.jobID), \(job.account), \(job.partition), \(job.timeLimitMinutes), \(job.state))
            ON CONFLICT (run_id, attempt) DO UPDATE
               SET job_id = excluded.job_id, account = excluded.account, partition = excluded.partition,
                   time_limit_minutes = excluded.time_limit_minutes, state = excluded.state, exit_code = NULL, elapsed_seconds = NULL,
                   cpu_seconds = NULL, submitted_at = now(), updated_at = now()
            """)
    }

    /// Whether `jobID` is the job recorded for the run's current attempt: a job started late (a resubmission replaced
    /// it) must not work on the run beside its successor. Nil while no job is recorded for the attempt yet.
    public func isCurrent(jobID: String, run: Identifier<EvalRun>) async throws -> Bool? {
        let recorded: String? = try await self.pool.query(
            """
            SELECT j.job_id FROM run_slurm_jobs j JOIN runs r ON r.id = j.run_id AND r.attempts = j.attempt WHERE j.run_id = \(run)
            """
        ).first?.decode("job_id")
        return recorded.map { $0 == jobID }
    }

    /// Records what Slurm last said about the job of `run`'s `attempt`.
    public func update(
        run: Identifier<EvalRun>, attempt: Int, state: String, exitCode: String?, elapsedSeconds: Double?, cpuSeconds: Double?
    ) async throws {
        try await self.pool.query(
            """
            UPDATE run_slurm_jobs
               SET state = \(String(state.prefix(40))), exit_code = coalesce(\(exitCode), exit_code),
                   elapsed_seconds = coalesce(\(elapsedSeconds), elapsed_seconds), cpu_seconds = coalesce(\(cpuSeconds), cpu_seconds),
                   updated_at = now()
             WHERE run_id = \(run) AND attempt = \(attempt)
            """)
    }

    /// The jobs of a run, first attempt first.
    public func jobs(of run: Identifier<EvalRun>) async throws -> [Job] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT run_id, attempt, job_id, account, partition, time_limit_minutes, state, exit_code, elapsed_seconds, cpu_seconds,
                       submitted_at
                  FROM run_slurm_jobs WHERE run_id = \(run) ORDER BY attempt
                """
            ).rows.map { row in
                Job(
                    runID: try row.id("run_id"), attempt: try row.decode("attempt"), jobID: try row.decode("job_id"),
                    account: try row.decode("account"),
                    partition: try row.decode("partition"), timeLimitMinutes: try row.decode("time_limit_minutes"), state: try row.decode("state"),
                    exitCode: try row.decode("exit_code"), elapsedSeconds: try row.decode("elapsed_seconds"),
                    cpuSeconds: try row.decode("cpu_seconds"),
                    submittedAt: try row.decode("submitted_at"))
            }
        }
    }
}
