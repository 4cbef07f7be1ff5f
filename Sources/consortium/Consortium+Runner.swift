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

        @Option(help: "Runs executed at once.")
        var concurrency = 1

        @Flag(help: "Exit once the queue is empty (for scripts and tests); no scheduler, no waiting.")
        var untilIdle = false

        @Option(help: "Engine threads per run (default: all cores divided by --concurrency).")
        var threads: Int?

        @Option(help: "Seconds a claimed run stays this runner's without a renewal.")
        var leaseSeconds = 30

        @Option(help: "Seconds between queue polls when no notification arrives.")
        var pollSeconds = 5.0

        @Option(help: "Seconds between scheduler passes.")
        var scheduleSeconds = 15.0

        @Flag(help: "Do not run the scheduler in this process.")
        var noScheduler = false

        @Option(help: "Name in leases, usage records and the audit log (default: host:pid).")
        var owner: String?

        @Option(help: "Folder for artifact contents and the checkpoint cache (default: $CONSORTIUM_DATA_DIR, else .data).")
        var dataDir: String?

        func validate() throws {
            guard (1...64).contains(self.concurrency) else { throw ValidationError("--concurrency must be between 1 and 64") }
            if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256") }
            guard (2...3600).contains(self.leaseSeconds) else { throw ValidationError("--lease-seconds must be between 2 and 3600") }
            guard self.pollSeconds >= 0.05, self.scheduleSeconds >= 0.05 else { throw ValidationError("intervals must be at least 0.05 seconds") }
            if let owner, owner.isEmpty || owner.count > 100 { throw ValidationError("--owner must be 1 to 100 characters") }
        }

        func run() async throws {
            let logger = self.options.logger(label: "consortium.runner")
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let data = URL(fileURLWithPath: self.dataDir ?? ProcessInfo.processInfo.environment["CONSORTIUM_DATA_DIR"] ?? ".data")
            var configuration = RunnerConfiguration(dataDirectory: data, owner: self.owner)
            configuration.concurrency = self.concurrency
            configuration.untilIdle = self.untilIdle
            configuration.threads = self.threads
            configuration.leaseSeconds = self.leaseSeconds
            configuration.renewSeconds = max(0.5, Double(self.leaseSeconds) / 5)
            configuration.pollSeconds = self.pollSeconds
            configuration.scheduleSeconds = self.noScheduler ? nil : self.scheduleSeconds
            let content = try LocalContentStore(root: data.appendingPathComponent("artifacts"))
            let runner = Runner(
                store: Store(pool: pool), database: pool.configuration, content: content, configuration: configuration, logger: logger)
            let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number)
                source.setEventHandler {
                    logger.notice("stopping: running runs go back to the queue at their next batch")
                    runner.stop()
                }
                source.resume()
                return source
            }
            defer { for source in signals { source.cancel() } }
            logger.info("runner started", metadata: ["owner": "\(configuration.owner)", "concurrency": "\(self.concurrency)"])
            let summary = try await runner.run()
            print(
                "runner \(configuration.owner): \(summary.succeeded) succeeded, \(summary.failed) failed, \(summary.retried) retried, "
                    + "\(summary.refused) refused, \(summary.released) released, \(summary.abandoned) abandoned")
        }
    }
}
