import Database
import DatabaseTestSupport
import Foundation
import Testing

@Suite struct PoolTests {
    @Test func neverOpensMoreThanItsBound() async throws {
        try await TestDatabase.withEmpty(maxConnections: 3) { pool async throws in
            let pids = try await withThrowingTaskGroup(of: Int32.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            _ = try connection.query("SELECT pg_sleep(0.01)")
                            return connection.backendPID
                        }
                    }
                }
                return try await group.reduce(into: Set<Int32>()) { $0.insert($1) }
            }
            #expect(pids.count <= 3)
            #expect(pool.statistics.open <= 3)
        }
    }

    @Test func waitingForAFullPoolTimesOutWithAClearError() async throws {
        var configuration = try TestDatabase.configuration(database: "postgres", maxConnections: 1)
        configuration.acquireTimeout = .milliseconds(200)
        let pool = DatabasePool(configuration: configuration)
        defer { pool.shutdown() }
        // The holder keeps the only connection until told to let go, however slowly a loaded machine runs this test
        // (a timed sleep let it finish first once, under a parallel build).
        let release = DispatchSemaphore(value: 0)
        let holding = DispatchSemaphore(value: 0)
        async let holder: Void = pool.withConnection { connection in
            _ = try connection.query("SELECT 1")
            holding.signal()
            release.wait()
        }
        while holding.wait(timeout: .now()) == .timedOut { try await Task.sleep(for: .milliseconds(10)) }
        let error = await #expect(throws: DatabaseError.self) { try await pool.query("SELECT 1") }
        #expect(error?.message.contains("no database connection became free") == true)
        release.signal()
        try await holder
        // Once the holder is done, the pool serves again.
        let value1 = try await pool.query("SELECT 1 AS one").first?.decode("one", as: Int.self)
        #expect(value1 == 1)
    }

    @Test func aTerminatedConnectionIsDiscardedAndReplaced() async throws {
        try await TestDatabase.withEmpty(maxConnections: 1) { pool async throws in
            let firstPID = try await pool.withConnection { $0.backendPID }
            // Kill the pooled connection's server process from outside, as a restart or admin would.
            let admin = DatabasePool(configuration: DatabaseConfiguration(connectionString: try TestDatabase.adminURL(), maxConnections: 1))
            defer { admin.shutdown() }
            try await admin.query("SELECT pg_terminate_backend(\(firstPID))")
            try await Task.sleep(for: .milliseconds(200))
            // The idle check notices the closed socket before handing the connection out, so this call succeeds.
            let secondPID = try await pool.withConnection { $0.backendPID }
            #expect(secondPID != firstPID)
            #expect(pool.statistics.open == 1)
        }
    }

    @Test func aConnectionThatBreaksMidCallFailsThatCallOnly() async throws {
        try await TestDatabase.withEmpty(maxConnections: 1) { pool async throws in
            let error = await #expect(throws: DatabaseError.self) {
                try await pool.query("SELECT pg_terminate_backend(pg_backend_pid())")
            }
            #expect(error?.isConnectionLost == true)
            let value2 = try await pool.query("SELECT 2 AS two").first?.decode("two", as: Int.self)
            #expect(value2 == 2)
            #expect(pool.statistics.open == 1)
        }
    }

    @Test func unreachableServerGivesOneLineWithAHint() async throws {
        let pool = DatabasePool(
            configuration: DatabaseConfiguration(
                connectionString: "host=/nonexistent/socket/dir dbname=x user=y connect_timeout=2", displayName: "the test target",
                connectionHint: "Start it with `Ops/scripts/db.sh start`"))
        defer { pool.shutdown() }
        let error = await #expect(throws: DatabaseError.self) { try await pool.query("SELECT 1") }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.description.contains("cannot connect to the test target") == true)
        #expect(error?.description.contains("Ops/scripts/db.sh start") == true)
        #expect(error?.description.contains("\n") == false)
        #expect(pool.statistics.open == 0)
    }

    @Test func passwordsAreRedactedFromDisplayNames() {
        let uri = DatabaseConfiguration(connectionString: "postgresql://alice:s3cret@db.example:5432/consortium")
        #expect(!uri.displayName.contains("s3cret"))
        #expect(uri.displayName.contains("alice:***@db.example"))
        let keywords = DatabaseConfiguration(connectionString: "host=db user=alice password=s3cret dbname=c")
        #expect(!keywords.displayName.contains("s3cret"))
        let query = DatabaseConfiguration(connectionString: "postgresql://db/c?user=alice&password=s3cret&sslmode=require")
        #expect(!query.displayName.contains("s3cret"))
        #expect(query.displayName.contains("sslmode=require"))
    }
}
