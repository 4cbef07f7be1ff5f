import Database
import DatabaseTestSupport
import Domain
import Foundation
import Runner
import Store
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The real `consortium runner` process: killed mid-run, or asked to stop.
@Suite struct RunnerProcessTests {
    private var binary: String {
        if let path = ProcessInfo.processInfo.environment["CONSORTIUM_BIN"] { return path }
        // The test bundle sits beside the products it was built with.
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("consortium").path
    }

    private func startRunner(_ f: RunnerFixture, owner: String) throws -> Shell.Started {
        try Shell.start(
            binary,
            [
                "runner", "--database-url", f.database.connectionString, "--data-dir", f.dataDirectory.path, "--owner", owner, "--lease-seconds", "2",
                "--poll-seconds", "0.2", "--no-scheduler", "--threads", "1", "--log-level", "error",
            ], removing: ["DATABASE_URL"])
    }

    /// Waits until the run reports progress (its runner is well inside it).
    private func waitUntilRunning(_ f: RunnerFixture, _ run: Identifier<EvalRun>) async throws -> String {
        var progress = "{}"
        for _ in 0..<600 where progress == "{}" || progress.contains("\"done\": 0") {
            try await Task.sleep(for: .milliseconds(50))
            progress = try await f.scalar("SELECT progress::text FROM runs WHERE id = \(run)")
        }
        return progress
    }

    @Test func aKilledRunnersRunIsFinishedOnceByAnother() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let run = try await f.longRun(documents: 3000)
            let victim = try startRunner(f, owner: "victim")
            let progress = try await waitUntilRunning(f, run)
            #expect(progress.contains("\"total\": 3000"), "\(progress)")
            victim.kill(SIGKILL)
            #expect(try await victim.finish().status == 128 + SIGKILL)
            #expect(try await f.status(run) == .running, "the dead runner's lease still stands")
            try await Task.sleep(for: .seconds(2.5))
            let summary = try await f.runner("heir").run()
            #expect(summary.succeeded == 1)
            let listing = try #require(try await f.store.runs.find(run))
            #expect(listing.run.status == .succeeded && listing.run.attempts == 2)
            let outcomes: Int64 = try await f.scalar("SELECT count(*) FROM run_task_outcomes WHERE run_id = \(run)")
            let results: Int64 = try await f.scalar("SELECT count(*) FROM results WHERE run_id = \(run)")
            let charges: Int64 = try await f.scalar("SELECT count(*) FROM usage_records WHERE external_id = \(run.description)")
            let finishes: Int64 = try await f.scalar("SELECT count(*) FROM audit_log WHERE action = 'run.succeed' AND entity_id = \(run.description)")
            #expect(outcomes == 1 && results == 4 && charges == 1 && finishes == 1)
        }
    }

    @Test func aStoppedRunnerGivesItsRunBackAtOnce() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let run = try await f.longRun(documents: 3000)
            let runner = try startRunner(f, owner: "polite")
            _ = try await waitUntilRunning(f, run)
            runner.kill(SIGTERM)
            let outcome = try await runner.finish()
            #expect(outcome.status == 0, "\(outcome.stderr)")
            #expect(outcome.stdout.contains("1 released"), "\(outcome.stdout)")
            // Back in the queue without waiting for the lease, the attempt not counted.
            let listing = try #require(try await f.store.runs.find(run))
            #expect(listing.run.status == .queued && listing.run.attempts == 0 && listing.run.leaseOwner == nil)
            #expect(try await f.runner("next").run().succeeded == 1)
        }
    }
}
