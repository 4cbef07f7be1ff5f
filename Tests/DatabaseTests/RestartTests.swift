import Database
import DatabaseTestSupport
import Foundation
import Testing

/// Stops and starts a PostgreSQL cluster of its own (not the shared test cluster, which other suites use).
@Suite(.serialized) struct RestartTests {
    private let script = TestDatabase.repositoryRoot.appendingPathComponent("Ops/scripts/db.sh").path

    private func control(_ command: String) async throws {
        let outcome = try await Shell.run("/bin/bash", [script, "--cluster", "test-restart", "--test", command])
        guard outcome.status == 0 else {
            throw TestDatabaseError("db.sh \(command) failed (\(outcome.status)): \(outcome.stderr)")
        }
    }

    /// For `defer`, which cannot await: blocks this thread for the few hundred milliseconds `db.sh stop` takes.
    private func stopNow() {
        _ = try? Shell.start("/bin/bash", [script, "--cluster", "test-restart", "--test", "stop"]).wait()
    }

    private func url() async throws -> String {
        try await Shell.run("/bin/bash", [script, "--cluster", "test-restart", "url"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Tests

    @Test func thePoolSurvivesAServerRestart() async throws {
        try await control("start")
        defer { self.stopNow() }
        let pool = DatabasePool(configuration: DatabaseConfiguration(connectionString: try await url(), maxConnections: 2))
        defer { pool.shutdown() }
        let before = try await pool.withConnection { $0.backendPID }

        try await control("stop")
        let error = await #expect(throws: DatabaseError.self) { try await pool.query("SELECT 1") }
        #expect(error?.isConnectionLost == true)
        #expect(pool.statistics.idle == 0)

        try await control("start")
        let after = try await pool.withConnection { $0.backendPID }
        #expect(after != before)
        let value1 = try await pool.query("SELECT 41 + 1 AS n").first?.decode("n", as: Int.self)
        #expect(value1 == 42)
    }

    @Test func idleConnectionsFromBeforeARestartAreNeverHandedOut() async throws {
        try await control("start")
        defer { self.stopNow() }
        let pool = DatabasePool(configuration: DatabaseConfiguration(connectionString: try await url(), maxConnections: 3))
        defer { pool.shutdown() }
        // Fill the pool with three idle connections.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<3 { group.addTask { _ = try await pool.query("SELECT pg_sleep(0.2)") } }
            try await group.waitForAll()
        }
        #expect(pool.statistics.idle == 3)
        try await control("restart")
        // Every call succeeds: stale connections are detected when leased and replaced.
        for _ in 0..<6 {
            let value2 = try await pool.query("SELECT 1 AS one").first?.decode("one", as: Int.self)
            #expect(value2 == 1)
        }
    }
}
