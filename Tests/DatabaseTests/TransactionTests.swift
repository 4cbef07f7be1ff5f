import Database
import DatabaseTestSupport
import Testing

@Suite struct TransactionTests {
    struct Boom: Error {}

    private func count(_ pool: DatabasePool) async throws -> Int {
        try await pool.query("SELECT count(*) AS n FROM t").first!.decode("n")
    }

    // MARK: Tests

    @Test func commitsWhenTheBodyReturns() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            try await pool.query("CREATE TABLE t (n int)")
            try await pool.withTransaction { tx in
                try tx.query("INSERT INTO t VALUES (\(1))")
                try tx.query("INSERT INTO t VALUES (\(2))")
            }
            #expect(try await count(pool) == 2)
        }
    }

    @Test func rollsBackWhenTheBodyThrows() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            try await pool.query("CREATE TABLE t (n int)")
            await #expect(throws: Boom.self) {
                try await pool.withTransaction { tx in
                    try tx.query("INSERT INTO t VALUES (\(1))")
                    throw Boom()
                }
            }
            #expect(try await count(pool) == 0)
        }
    }

    @Test func rollsBackWhenAStatementFails() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            try await pool.query("CREATE TABLE t (n int CHECK (n > 0))")
            await #expect(throws: DatabaseError.self) {
                try await pool.withTransaction { tx in
                    try tx.query("INSERT INTO t VALUES (\(1))")
                    try tx.query("INSERT INTO t VALUES (\(-1))")
                }
            }
            #expect(try await count(pool) == 0)
            // The connection went back to the pool usable, not stuck in an aborted transaction.
            try await pool.query("INSERT INTO t VALUES (\(3))")
            #expect(try await count(pool) == 1)
        }
    }

    @Test func aTransactionLeftOpenIsRolledBackBeforeTheNextLease() async throws {
        try await TestDatabase.withEmpty(maxConnections: 1) { pool async throws in
            try await pool.query("CREATE TABLE t (n int)")
            try await pool.withConnection { connection in
                try connection.executeScript("BEGIN")
                try connection.query("INSERT INTO t VALUES (\(1))")
            }
            #expect(try await count(pool) == 0)
        }
    }
}
