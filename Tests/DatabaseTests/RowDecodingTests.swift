import Database
import DatabaseTestSupport
import Foundation
import Testing

@Suite struct RowDecodingTests {
    struct Settings: Codable, Equatable, Sendable {
        var name: String
        var layers: Int
        var tags: [String]
    }

    private func roundTrip<T: SQLEncodable & SQLDecodable & Equatable>(_ value: T, cast: String, on pool: DatabasePool) async throws -> T {
        var query: SQLQuery = "SELECT \(value)"
        query.append(SQLQuery(unsafeSQL: "::\(cast) AS v"))
        return try await pool.query(query).first!.decode("v", as: T.self)
    }

    // MARK: Tests

    @Test func everySupportedTypeRoundTrips() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            #expect(try await roundTrip(true, cast: "bool", on: pool) == true)
            #expect(try await roundTrip(false, cast: "bool", on: pool) == false)
            #expect(try await roundTrip(Int.max, cast: "int8", on: pool) == Int.max)
            #expect(try await roundTrip(Int64.min, cast: "int8", on: pool) == Int64.min)
            #expect(try await roundTrip(Int32(-42), cast: "int4", on: pool) == -42)
            #expect(try await roundTrip(0.1 + 0.2, cast: "float8", on: pool) == 0.1 + 0.2)
            #expect(try await roundTrip(Double.infinity, cast: "float8", on: pool) == .infinity)
            #expect(try await roundTrip("Zürich · 東京 · عربى · 👩‍🔬", cast: "text", on: pool) == "Zürich · 東京 · عربى · 👩‍🔬")
            #expect(
                try await roundTrip(Decimal(string: "12345678901234.5678")!, cast: "numeric", on: pool) == Decimal(string: "12345678901234.5678")!)
            let uuid = UUID()
            #expect(try await roundTrip(uuid, cast: "uuid", on: pool) == uuid)
            let bytes = Data((0...255).map(UInt8.init))
            #expect(try await roundTrip(bytes, cast: "bytea", on: pool) == bytes)
            #expect(
                try await roundTrip(["a,b", "q\"uote", "back\\slash", "", "NULL"], cast: "text[]", on: pool) == [
                    "a,b", "q\"uote", "back\\slash", "", "NULL",
                ])
            #expect(try await roundTrip([String](), cast: "text[]", on: pool) == [])
        }
    }

    @Test func nanRoundTrips() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let value = try await pool.query("SELECT \(Double.nan)::float8 AS v").first!.decode("v", as: Double.self)
            #expect(value.isNaN)
        }
    }

    @Test func timestampsKeepMicroseconds() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let date = Date(timeIntervalSince1970: 1_795_000_000.123456)
            let back = try await pool.query("SELECT \(date)::timestamptz AS v").first!.decode("v", as: Date.self)
            #expect(abs(back.timeIntervalSince1970 - date.timeIntervalSince1970) < 0.000_001)
            let old = Date(timeIntervalSince1970: -2_000_000_000.5)
            let backOld = try await pool.query("SELECT \(old)::timestamptz AS v").first!.decode("v", as: Date.self)
            #expect(abs(backOld.timeIntervalSince1970 - old.timeIntervalSince1970) < 0.000_001)
        }
    }

    @Test func serverComputedTimestampsAndDatesDecode() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let row = try await pool.query(
                "SELECT timestamptz '2026-03-01 12:30:45.5+02' AS t, date '2024-02-29' AS d, timestamp '2000-01-01 00:00:00' AS local"
            ).first!
            #expect(try row.decode("t", as: Date.self) == Date(timeIntervalSince1970: 1_772_361_045.5))
            #expect(try row.decode("d", as: Date.self) == Date(timeIntervalSince1970: 1_709_164_800))
            #expect(try row.decode("local", as: Date.self) == Date(timeIntervalSince1970: 946_684_800))
        }
    }

    @Test func jsonbDecodesIntoCodable() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let settings = Settings(name: "bloom", layers: 70, tags: ["multilingual", "☃"])
            let back = try await pool.query("SELECT \(JSONB(settings)) AS v").first!.decode("v", as: JSONB<Settings>.self)
            #expect(back.value == settings)
        }
    }

    @Test func nullDecodesOnlyIntoOptional() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let row = try await pool.query("SELECT NULL::int8 AS n, NULL::text AS t, ARRAY['a', NULL] AS arr").first!
            #expect(try row.decode("n", as: Int?.self) == nil)
            #expect(try row.decode("t", as: String?.self) == nil)
            #expect(try row.decode("arr", as: [String?].self) == ["a", nil])
            let error = #expect(throws: DatabaseError.self) { try row.decode("n", as: Int.self) }
            #expect(error?.kind == .decoding)
            #expect(error?.message.contains("'n'") == true)
            #expect(throws: DatabaseError.self) { try row.decode("arr", as: [String].self) }
        }
    }

    @Test func typeMismatchNamesTheColumn() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let row = try await pool.query("SELECT 'abc'::text AS label, 5000000000::int8 AS big, 1.5::numeric AS ratio").first!
            let error = #expect(throws: DatabaseError.self) { try row.decode("label", as: Int.self) }
            #expect(error?.message.contains("'label'") == true)
            #expect(error?.message.contains("text") == true)
            #expect(throws: DatabaseError.self) { try row.decode("big", as: Int32.self) }
            #expect(throws: DatabaseError.self) { try row.decode("ratio", as: UUID.self) }
            #expect(throws: DatabaseError.self) { try row.decode("missing", as: String.self) }
            #expect(throws: DatabaseError.self) { try row.decode(at: 7, as: String.self) }
        }
    }

    @Test func injectedTextIsStoredVerbatimAndHarmless() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            try await pool.query("CREATE TABLE notes (body text NOT NULL)")
            let hostile = "'); DROP TABLE notes; --"
            try await pool.query("INSERT INTO notes (body) VALUES (\(hostile))")
            let stored = try await pool.query("SELECT body FROM notes").rows.map { try $0.decode("body", as: String.self) }
            #expect(stored == [hostile])
        }
    }

    @Test func affectedRowsComeFromTheCommandTag() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            try await pool.query("CREATE TABLE t (n int)")
            let inserted = try await pool.query("INSERT INTO t SELECT generate_series(1, 5)")
            #expect(inserted.affectedRows == 5)
            let updated = try await pool.query("UPDATE t SET n = n + 1 WHERE n > \(3)")
            #expect(updated.affectedRows == 2)
        }
    }
}
