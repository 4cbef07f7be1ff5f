public import ArgumentParser
import Database
import Domain
import Foundation
import Store

extension Consortium.Eval {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a run: status, progress, metrics, cost and reproducibility record.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The run id.")
        var run: String

        @Flag(help: "Print the run as JSON (with its reproducibility record).")
        var json = false

        func run() async throws {
            try await Consortium.Eval.withRun(self.run, options: self.options) { store, listing in
                let results = try await store.runs.results(of: listing.run.id)
                print(self.json ? try RunJSON.render(listing, results: results) : RunText.render(listing, results: results))
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List runs, newest first.")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Only this working group's runs.")
        var group: String?

        @Option(help: "Only runs in this status (queued, running, succeeded, failed, cancelled).")
        var status: EvalRun.Status?

        @Option(help: "At most this many runs.")
        var limit = 50

        func validate() throws {
            guard (1...10_000).contains(self.limit) else { throw ValidationError("--limit must be between 1 and 10000") }
        }

        func run() async throws {
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let runs = try await Store(pool: pool).runs.page(.init(group: self.group, status: self.status), after: nil, limit: self.limit)
            let iso = ISO8601DateFormatter()
            self.output.emit(
                columns: [
                    ("ID", "id"), ("GROUP", "group"), ("CHECKPOINT", "checkpoint"), ("SUITE", "suite"), ("STATUS", "status"), ("QUEUED", "queued_at"),
                    ("ATTEMPTS", "attempts"),
                ],
                rows: runs.map { l in
                    [
                        l.run.id.description, l.groupSlug, "\(l.checkpointSlug)@\(l.checkpointVersion)", l.suiteSlug, l.run.status.rawValue,
                        iso.string(from: l.run.queuedAt), String(l.run.attempts),
                    ]
                }, numeric: ["attempts"])
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a queued or running run (a running one stops at its next batch).")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The run id.")
        var run: String

        @Option(help: "Why, for the run's error and the audit log.")
        var reason: String

        @Option(help: "Who is cancelling, for the audit log (default: the OS user).")
        var actor: String = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()

        func run() async throws {
            let id = try Consortium.Eval.runID(self.run)
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            do {
                let listing = try await Store(pool: pool).runs.cancel(id, reason: self.reason, actor: Actor(name: self.actor))
                print("cancelled run \(listing.run.id)")
            } catch let error as StoreError {
                throw CommandError(error.isConflict ? error.detail : "\(error)")
            }
        }
    }
}

extension EvalRun.Status: ExpressibleByArgument {}
