import Foundation

/// Slurm's command-line tools, as a runner uses them: submit a batch job, ask its state, read its accounting, cancel it.
struct SlurmClient: Sendable {
    /// What a job is given to run, and where.
    struct Submission: Sendable {
        let jobName: String
        let account: String
        let partition: String?
        let timeLimitMinutes: Int
        let cpus: Int
        let outputPath: String
        let workingDirectory: String
        /// The shell command of the job (`consortium eval exec RUN --owner OWNER`).
        let command: String
        /// Set in the job's environment besides this process's (sbatch exports all of it).
        let environment: [String: String]
    }

    /// Submits a batch job and returns its id.
    /// - Throws: `RunnerError` with sbatch's own words when it refuses (an unknown account, a time over the
    ///   partition's limit), so the run's error says what to fix.
    func submit(_ submission: Submission) async throws -> String {
        var arguments = [
            "--parsable", "--job-name=\(submission.jobName)", "--account=\(submission.account)", "--time=\(submission.timeLimitMinutes)",
            "--output=\(submission.outputPath)", "--chdir=\(submission.workingDirectory)", "--export=ALL", "--nodes=1", "--ntasks=1",
            "--cpus-per-task=\(submission.cpus)",
        ]
        if let partition = submission.partition { arguments.append("--partition=\(partition)") }
        arguments.append("--wrap=\(submission.command)")
        let outcome = try await Subprocess.run("sbatch", arguments, environment: submission.environment)
        guard outcome.status == 0, let id = SlurmOutput.jobID(fromSubmission: outcome.stdout) else {
            let said = (outcome.stderr + outcome.stdout).trimmingCharacters(in: .whitespacesAndNewlines)
            throw RunnerError("sbatch refused the job: \(said.isEmpty ? "exit status \(outcome.status)" : String(said.prefix(500)))")
        }
        return id
    }

    /// The job's state while it is alive, nil once it has ended.
    func queueState(_ jobID: String) async throws -> String? {
        let outcome = try await Subprocess.run("squeue", ["--noheader", "--jobs=\(jobID)", "--format=%T"], timeout: Self.queryTimeout)
        // squeue fails with "Invalid job id specified" once a finished job has been purged: it is gone.
        guard outcome.status == 0 else {
            if outcome.stderr.contains("Invalid job id") { return nil }
            throw RunnerError("squeue failed for job \(jobID): \(outcome.stderr.prefix(300))")
        }
        return SlurmOutput.queueState(outcome.stdout)
    }

    /// `queueState` wrapped so that `try?` keeps "squeue answered: gone" (`.some(nil)`) apart from "squeue failed" (nil).
    func queueStateAnswer(_ jobID: String) async throws -> String?? { try await self.queueState(jobID) }

    /// The finished job's accounting, nil while sacct has no final line for it yet.
    func accounting(_ jobID: String) async throws -> SlurmOutput.Accounting? {
        let outcome = try await Subprocess.run(
            // Without --allocations: CPU time is recorded on the job's steps, and the job's own line then sums them.
            "sacct", ["--noheader", "--parsable2", "--jobs=\(jobID)", "--format=JobID,State,ExitCode,ElapsedRaw,TotalCPU"], timeout: Self.queryTimeout
        )
        guard outcome.status == 0 else { throw RunnerError("sacct failed for job \(jobID): \(outcome.stderr.prefix(300))") }
        guard let accounting = SlurmOutput.accounting(outcome.stdout, jobID: jobID),
            !["PENDING", "RUNNING", "COMPLETING", "REQUEUED", "SUSPENDED"].contains(accounting.state)
        else { return nil }
        return accounting
    }

    /// Cancels the job (SIGTERM to its steps, then SIGKILL after Slurm's KillWait).
    func cancel(_ jobID: String) async throws {
        let outcome = try await Subprocess.run("scancel", [jobID], timeout: Self.queryTimeout)
        guard outcome.status == 0 else { throw RunnerError("scancel \(jobID) failed: \(outcome.stderr.prefix(300))") }
    }

    /// How long a query may take: well under a lease (30 s by default), which the follow loop renews between queries.
    static let queryTimeout = 15.0

    /// `text` quoted for the job's shell.
    static func shellQuoted(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
