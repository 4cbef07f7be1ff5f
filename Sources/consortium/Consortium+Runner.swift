import ArgumentParser
import Database
import Dispatch
import Foundation
import Logging
import Runner
import Store

extension Consortium {
    struct RunnerCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "runner",
            abstract: "Execute queued evaluation runs (and turn due schedules into runs) until stopped.",
            discussion: "SIGTERM or SIGINT: stop claiming, give running runs back to the queue at their next batch, exit.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Runs executed at once (default: $CONSORTIUM_RUNNER_CONCURRENCY, else 1).")
        var concurrency: Int?

        @Flag(help: "Exit once the queue is empty (for scripts and tests); no scheduler, no waiting.")
        var untilIdle = false

        @Option(help: "Engine threads per run (default: $CONSORTIUM_RUNNER_THREADS, else all cores divided by the concurrency).")
        var threads: Int?

        @Option(help: "Seconds a claimed run stays this runner's without a renewal (default: $CONSORTIUM_RUNNER_LEASE_SECONDS, else 30).")
        var leaseSeconds: Int?

        @Option(help: "Seconds between queue polls when no notification arrives (default: $CONSORTIUM_RUNNER_POLL_SECONDS, else 5).")
        var pollSeconds: Double?

        @Option(help: "Seconds between scheduler passes (default: $CONSORTIUM_RUNNER_SCHEDULE_SECONDS, else 15).")
        var scheduleSeconds: Double?

        @Flag(help: "Do not run the scheduler in this process.")
        var noScheduler = false

        @Option(help: "Where runs execute: local, or slurm for one batch job per run (default: $CONSORTIUM_RUNNER_EXECUTOR, else local).")
        var executor: String?

        @Option(help: "Slurm partition for --executor slurm (default: $CONSORTIUM_SLURM_PARTITION, else the cluster's default).")
        var slurmPartition: String?

        @Option(help: "Name in leases, usage records and the audit log (default: $CONSORTIUM_RUNNER_OWNER, else host:pid).")
        var owner: String?

        func run() async throws {
            let settings = try self.options.settings([
                .runnerConcurrency: self.concurrency.map(String.init), .runnerThreads: self.threads.map(String.init),
                .runnerLeaseSeconds: self.leaseSeconds.map(String.init), .runnerPollSeconds: self.pollSeconds.map { "\($0)" },
                .runnerScheduleSeconds: self.scheduleSeconds.map { "\($0)" }, .runnerOwner: self.owner,
                .runnerExecutor: self.executor, .slurmPartition: self.slurmPartition,
            ])
            let concurrency = try settings.integer(.runnerConcurrency, in: 1...64) ?? 1
            let leaseSeconds = try settings.integer(.runnerLeaseSeconds, in: 2...3600) ?? 30
            let owner = settings.string(.runnerOwner)
            if let owner, owner.isEmpty || owner.count > 100 { throw CommandError("the runner's owner name must be 1 to 100 characters") }
            let data = self.options.dataDirectory
            var configuration = RunnerConfiguration(dataDirectory: data, owner: owner)
            configuration.concurrency = concurrency
            configuration.untilIdle = self.untilIdle
            configuration.threads = try settings.integer(.runnerThreads, in: 1...256)
            configuration.leaseSeconds = leaseSeconds
            configuration.renewSeconds = max(0.5, Double(leaseSeconds) / 5)
            configuration.pollSeconds = try settings.seconds(.runnerPollSeconds, atLeast: 0.05) ?? 5
            configuration.scheduleSeconds = self.noScheduler ? nil : try settings.seconds(.runnerScheduleSeconds, atLeast: 0.05) ?? 15
            let logger = self.options.logger(label: "consortium.runner")
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            switch settings.string(.runnerExecutor) ?? "local" {
            case "local": break
            case "slurm":
                configuration.executor = .slurm(self.slurm(settings, data: data, database: pool.configuration, configuration: configuration))
            case let other:
                throw CommandError("CONSORTIUM_RUNNER_EXECUTOR=\(other) (from \(settings.entry(.runnerExecutor).source)): must be local or slurm")
            }
            let content = try LocalContentStore(root: data.appendingPathComponent("artifacts"))
            let runner = Runner(
                store: Store(pool: pool), database: pool.configuration, content: content, configuration: configuration, logger: logger)
            let signals = StopSignals {
                logger.notice("stopping: running runs go back to the queue at their next batch")
                runner.stop()
            }
            defer { signals.cancel() }
            logger.info("runner started", metadata: ["owner": "\(configuration.owner)", "concurrency": "\(concurrency)"])
            let summary = try await runner.run()
            print(
                "runner \(configuration.owner): \(summary.succeeded) succeeded, \(summary.failed) failed, \(summary.retried) retried, "
                    + "\(summary.refused) refused, \(summary.released) released, \(summary.abandoned) abandoned")
        }

        /// How this runner hands runs to Slurm: its own binary and settings, passed to each job explicitly (a value that
        /// came from a flag would not reach the job through the environment).
        private func slurm(
            _ settings: Settings, data: URL, database: DatabaseConfiguration, configuration: RunnerConfiguration
        ) -> RunnerConfiguration.Slurm {
            let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
            var arguments = ["--data-dir", data.standardizedFileURL.path, "--schema-dir", self.options.schemaDirectory.standardizedFileURL.path]
            // Only a file named explicitly: the default path is each machine's own, and the job reads its node's.
            if let file = settings.file, settings.fileIsExplicit {
                arguments += ["--config", URL(fileURLWithPath: file.path).standardizedFileURL.path]
            }
            let cpus = configuration.threads ?? 1
            arguments += ["--threads", String(cpus)]
            if let level = settings.string(.logLevel) { arguments += ["--log-level", level] }
            if let format = settings.string(.logFormat) { arguments += ["--log-format", format] }
            return RunnerConfiguration.Slurm(
                partition: settings.string(.slurmPartition), executable: executable, execArguments: arguments,
                environment: ["DATABASE_URL": database.connectionString], logDirectory: data.appendingPathComponent("slurm-logs"), cpusPerJob: cpus)
        }
    }
}
