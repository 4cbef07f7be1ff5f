import Database
import DatabaseTestSupport
import Testing

/// Each connection prepares a statement the first time it runs it and reuses it afterwards.
@Suite struct StatementCacheTests {
    @Test func aStatementIsPreparedOnceAndReused() async throws {
        try await TestDatabase.withEmpty(maxConnections: 1) { pool async throws in
            let sql = "SELECT $1::int4 + 1 AS next"
            let (values, prepared) = try await pool.withConnection { connection in
                let values = try (1...3).map { n in try connection.query("SELECT \(Int32(n))::int4 + 1 AS next").first?.decode("next", as: Int.self) }
                let prepared = try connection.query("SELECT count(*) AS n FROM pg_prepared_statements WHERE statement = \(sql)")
                    .first?.decode("n", as: Int.self)
                return (values, prepared)
            }
            #expect(values == [2, 3, 4])
            #expect(prepared == 1)
        }
    }

    @Test func errorsStayErrorsAndTheConnectionStaysUsable() async throws {
        try await TestDatabase.withEmpty(maxConnections: 1) { pool async throws in
            try await pool.withConnection { connection throws in
                // Fails at parse time: never cached, reported the same way every time.
                for _ in 0..<2 {
                    #expect(throws: DatabaseError.self) { try connection.query("SELEKT \(1)") }
                }
                // Prepares fine, fails when run with this value, works with the next.
                #expect(throws: DatabaseError.self) { try connection.query("SELECT 1 / \(0) AS q") }
                #expect(try connection.query("SELECT 1 / \(1) AS q").first?.decode("q", as: Int.self) == 1)
            }
        }
    }

    @Test func schemaChangesBetweenUsesAreReplanned() async throws {
        try await TestDatabase.withEmpty(maxConnections: 1) { pool async throws in
            try await pool.withConnection { connection throws in
                try connection.executeScript("CREATE TABLE t (a int); INSERT INTO t VALUES (1)")
                #expect(try connection.query("SELECT a FROM t WHERE a = \(1)").rows.count == 1)
                try connection.executeScript("ALTER TABLE t ADD COLUMN b text; CREATE INDEX t_a ON t (a); INSERT INTO t VALUES (1, 'x')")
                #expect(try connection.query("SELECT a FROM t WHERE a = \(1)").rows.count == 2)
            }
        }
    }
}
