import ArgumentParser
import Database
import Dispatch
import Domain
import Foundation
import Logging
import Runner
import Store

extension Consortium.Eval {
    struct Exec: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Execute a run that a runner claimed and handed to a Slurm job (the job's command; not for people).",
            discussion: """
                Works under OWNER's lease, which the runner that submitted the job holds and renews; writes the results and \
                the charge as a local runner would. Exit status 0 when the run succeeded or was cancelled or taken over \
                while it worked, 1 when it failed or the lease was not OWNER's to begin with. SIGTERM (scancel, the job's time limit) stops it at the next \
                batch without writing anything: the runner judges the run from Slurm's accounting.
                """)

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The run id.")
        var run: String

        @Option(help: "The runner whose lease the run is under.")
        var owner: String

        @Option(help: "Engine threads (default: all cores of the job's node).")
        var threads: Int?

        @Option(help: "Seconds each lease renewal extends the lease by (the submitting runner's --lease-seconds).")
        var leaseSeconds = 30

        func run() async throws {
            let id = try Consortium.Eval.runID(self.run)
            if let threads, !(1...256).contains(threads) { throw CommandError("--threads must be between 1 and 256") }
            guard (2...3600).contains(self.leaseSeconds) else { throw CommandError("--lease-seconds must be between 2 and 3600") }
            let logger = self.options.logger(label: "consortium.exec")
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let data = self.options.dataDirectory
            var configuration = RunnerConfiguration(dataDirectory: data, owner: self.owner)
            configuration.threads = self.threads
            configuration.leaseSeconds = self.leaseSeconds
            configuration.stopsOnLeaseClock = false
            configuration.renewSeconds = max(0.5, Double(self.leaseSeconds) / 5)
            let runner = Runner(
                store: Store(pool: pool), database: pool.configuration,
                content: try LocalContentStore(root: data.appendingPathComponent("artifacts")),
                configuration: configuration, logger: logger)
            // Inside a Slurm job: work only as the job recorded for the run's current attempt. A job that started late,
            // after its runner gave the run back and a new job was submitted, must not compute it a second time. The
            // runner records the job just after sbatch returns, so the row may take a moment to appear.
            if let job = ProcessInfo.processInfo.environment["SLURM_JOB_ID"] {
                var current: Bool?
                for _ in 0..<60 {
                    current = try await Store(pool: pool).slurmJobs.isCurrent(jobID: job, run: id)
                    if current != nil { break }
                    try await Task.sleep(for: .milliseconds(500))
                }
                guard current == true else {
                    throw CommandError("Slurm job \(job) is not the job recorded for run \(id)'s current attempt; nothing done")
                }
            }
            let signals = StopSignals {
                logger.notice("stopping without writing: the runner that submitted this job settles the run")
                runner.abandon()
            }
            defer { signals.cancel() }
            guard let ending = try await runner.executeHeld(id) else {
                throw CommandError("run \(id) is not running under \(self.owner)'s lease (finished, cancelled or taken over); nothing done")
            }
            print("run \(id): \(ending)")
            // Stopped because the run was cancelled or taken over is not the job failing: there was nothing left to do.
            guard ending == "succeeded" || ending == "abandoned" else { throw ExitCode.failure }
        }
    }
}
