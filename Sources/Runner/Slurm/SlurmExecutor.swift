import Domain
import Foundation
import Logging
import Store

/// Executes a claimed run as a Slurm batch job: `sbatch` with the group's Slurm account (from the allocation the run is
/// charged to) and a time limit from its tasks, the job running `consortium eval exec RUN --owner OWNER`, which does the
/// work under this runner's lease. The runner keeps the lease, follows the job with `squeue`, records its state and
/// `sacct`'s accounting, cancels it when the run is cancelled, and fails the run when the job ended without finishing it.
struct SlurmExecutor: Sendable {
    let store: Store
    let configuration: RunnerConfiguration
    let slurm: RunnerConfiguration.Slurm
    let client = SlurmClient()
    let logger: Logger

    /// Minutes a task is given when its config names no `time_limit_minutes`.
    static let defaultTaskMinutes = 60

    func execute(_ run: RunQueue.ClaimedRun, control: RunControl) async -> RunExecutor.Ending {
        let queue = self.store.runQueue
        guard let account = run.slurmAccount else {
            return await self.fail(
                run, "the allocation this run is charged to has no Slurm account; an administrator sets one on the allocation", retry: false)
        }
        let minutes: Int
        do {
            minutes = try Self.timeLimitMinutes(run)
        } catch {
            return await self.fail(run, "\(error)", retry: false)
        }
        let logs = self.slurm.logDirectory
        try? FileManager.default.createDirectory(at: logs, withIntermediateDirectories: true)
        let output = logs.appendingPathComponent("run-\(run.id)-attempt-\(run.attempt)-%j.out").path
        let command =
            ([self.slurm.executable, "eval", "exec", run.id.description, "--owner", self.configuration.owner]
            + ["--lease-seconds", String(self.configuration.leaseSeconds)] + self.slurm.execArguments)
            .map(SlurmClient.shellQuoted).joined(separator: " ")
        let submission = SlurmClient.Submission(
            jobName: "consortium-run-\(run.id.description.prefix(8))", account: account, partition: self.slurm.partition, timeLimitMinutes: minutes,
            cpus: self.slurm.cpusPerJob, outputPath: output, workingDirectory: FileManager.default.currentDirectoryPath, command: command,
            environment: self.slurm.environment)
        let jobID: String
        do {
            jobID = try await self.client.submit(submission)
        } catch let error as RunnerError {
            // sbatch said no (an unknown account, a limit): submitting again would be refused again.
            return await self.fail(run, error.description, retry: false)
        } catch {
            return await self.fail(run, "could not run sbatch: \(error)", retry: true)
        }
        self.logger.info(
            "run submitted to Slurm", metadata: ["run": "\(run.id)", "job": "\(jobID)", "account": "\(account)", "minutes": "\(minutes)"])
        do {
            try await self.store.slurmJobs.submitted(
                .init(runID: run.id, attempt: run.attempt, jobID: jobID, account: account, partition: self.slurm.partition, timeLimitMinutes: minutes)
            )
        } catch {
            self.logger.warning("recording the Slurm job failed", metadata: ["run": "\(run.id)", "job": "\(jobID)", "error": "\(error)"])
        }

        // Follow the job until it leaves the queue, renewing the lease meanwhile (the job renews it too, with progress).
        // Only the database decides whether the lease is held here (no clock of this process's own): the job renews it
        // too, and one side's network trouble must not stop the other.
        var state = "PENDING"
        var renewing = true
        while true {
            do {
                if renewing {
                    switch try await queue.renew(
                        run.id, owner: self.configuration.owner, leaseSeconds: self.configuration.leaseSeconds, progress: nil)
                    {
                    case .held: break
                    case .cancelled: control.stop(.cancelled)
                    case .lost:
                        // The job's command finished the run itself (its epilogue may still be running): follow the job to
                        // its end for the accounting. Anything else means the run was taken away: stop the job.
                        if let listing = try? await self.store.runs.find(run.id), listing.run.attempts == run.attempt,
                            [.succeeded, .failed].contains(listing.run.status)
                        {
                            renewing = false
                        } else {
                            control.stop(.leaseLost)
                        }
                    }
                }
            } catch {
                self.logger.warning("lease renewal failed", metadata: ["run": "\(run.id)", "error": "\(error)"])
            }
            if let reason = control.stopReason {
                return await self.stop(run, jobID: jobID, reason: reason)
            }
            do {
                guard let now = try await self.client.queueState(jobID) else { break }
                if now != state {
                    state = now
                    try? await self.store.slurmJobs.update(
                        run: run.id, attempt: run.attempt, state: now, exitCode: nil, elapsedSeconds: nil, cpuSeconds: nil)
                }
            } catch {
                self.logger.warning("squeue failed", metadata: ["job": "\(jobID)", "error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(self.configuration.renewSeconds))
        }

        let accounting = await self.finalAccounting(jobID, of: run)
        let ended = accounting.map { "\($0.state) (exit \($0.exitCode))" } ?? "without accounting"
        self.logger.info("Slurm job ended", metadata: ["run": "\(run.id)", "job": "\(jobID)", "state": "\(ended)"])
        guard let listing = try? await self.store.runs.find(run.id) else { return .abandoned }
        // Another attempt has begun (this runner lost the lease meanwhile): the run is no longer this job's to judge.
        guard listing.run.attempts == run.attempt else { return .abandoned }
        switch listing.run.status {
        case .succeeded: return .succeeded
        case .failed: return .failed
        case .queued: return .retried
        case .cancelled: return .abandoned
        case .running:
            guard listing.run.leaseOwner == self.configuration.owner else { return .abandoned }
            // The job ended without finishing the run: out of time, killed, or its command failed before it could say so.
            let path = output.replacingOccurrences(of: "%j", with: jobID)
            return await self.fail(
                run, "Slurm job \(jobID) ended \(ended) before the run finished; its output is in \(path)",
                retry: accounting?.isInfrastructureFailure ?? true, accounting: accounting)
        }
    }

    /// Cancels the job and settles the run: given back to the queue when this runner is shutting down (another runner
    /// submits it again), left alone when it was cancelled or taken over.
    private func stop(_ run: RunQueue.ClaimedRun, jobID: String, reason: RunControl.StopReason) async -> RunExecutor.Ending {
        self.logger.info("cancelling Slurm job", metadata: ["run": "\(run.id)", "job": "\(jobID)", "reason": "\(reason)"])
        do {
            try await self.client.cancel(jobID)
        } catch {
            self.logger.warning("scancel failed", metadata: ["job": "\(jobID)", "error": "\(error)"])
        }
        var gone = false
        for _ in 0..<60 {
            // try? would fold "squeue failed" into "gone"; only a real answer counts.
            if let state = try? await self.client.queueStateAnswer(jobID), state == nil {
                gone = true
                break
            }
            try? await Task.sleep(for: .seconds(1))
        }
        _ = await self.finalAccounting(jobID, of: run)
        // Give the run back only once Slurm confirms the job ended: a job still alive would go on working under this
        // runner's name beside the next one's. Left held, the job finishes it (it renews the lease), or the lease lapses.
        if reason == .shuttingDown, gone {
            try? await self.store.runQueue.release(run.id, owner: self.configuration.owner)
            return .released
        }
        return .abandoned
    }

    /// sacct's final line for the job, recorded with the run's job. sacct lags the queue by a few seconds, and a job's
    /// CPU time and exit code may still change just after its state turns final, so it is read once more.
    private func finalAccounting(_ jobID: String, of run: RunQueue.ClaimedRun) async -> SlurmOutput.Accounting? {
        for _ in 0..<30 {
            if var accounting = try? await self.client.accounting(jobID) {
                try? await Task.sleep(for: .seconds(2))
                if let settled = try? await self.client.accounting(jobID) { accounting = settled }
                try? await self.store.slurmJobs.update(
                    run: run.id, attempt: run.attempt, state: accounting.state, exitCode: accounting.exitCode,
                    elapsedSeconds: accounting.elapsedSeconds,
                    cpuSeconds: accounting.cpuSeconds)
                return accounting
            }
            try? await Task.sleep(for: .seconds(1))
        }
        self.logger.warning("sacct never reported the job as finished", metadata: ["job": "\(jobID)"])
        return nil
    }

    private func fail(
        _ run: RunQueue.ClaimedRun, _ message: String, retry: Bool, accounting: SlurmOutput.Accounting? = nil
    ) async -> RunExecutor.Ending {
        self.logger.warning("run failed", metadata: ["run": "\(run.id)", "attempt": "\(run.attempt)", "error": "\(message)"])
        let measurement = RunQueue.Measurement(
            wallSeconds: accounting?.elapsedSeconds ?? 0, cpuSeconds: accounting?.cpuSeconds ?? 0, reproducibility: "{}")
        let ended = try? await self.store.runQueue.fail(
            run.id, owner: self.configuration.owner, error: message, retry: retry, measurement: measurement)
        guard ended == true else { return .abandoned }
        return !retry || run.attempt >= run.maxAttempts ? .failed : .retried
    }

    /// The job's time limit: the sum of its tasks' `time_limit_minutes` (60 each when unset), at most a week.
    static func timeLimitMinutes(_ run: RunQueue.ClaimedRun) throws -> Int {
        var total = 0
        for task in run.tasks {
            guard let text = task.config?["time_limit_minutes"] else {
                total += Self.defaultTaskMinutes
                continue
            }
            guard let minutes = Int(text), (1...10_080).contains(minutes) else {
                throw RunnerError("task \(task.slug): time_limit_minutes must be a whole number from 1 to 10080, not '\(text.prefix(32))'")
            }
            total += minutes
        }
        return min(max(total, 1), 10_080)
    }
}
