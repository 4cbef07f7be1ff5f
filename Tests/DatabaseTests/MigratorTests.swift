import Database
import DatabaseTestSupport
import Foundation
import Testing

@Suite struct MigratorTests {
    /// A private copy of the migrations folder that a test may edit.
    private func scratchMigrations(_ files: [String: String]) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, sql) in files { try sql.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return directory
    }

    private let basic = [
        "0001_first.sql": "CREATE TABLE a (id int PRIMARY KEY);",
        "0002_second.sql": "CREATE TABLE b (id int REFERENCES a (id)); INSERT INTO a VALUES (1);",
    ]

    // MARK: Tests

    @Test func theRealSchemaAppliesAndIsThenCurrent() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let migrator = try Migrator(pool: pool, directory: TestDatabase.migrationsDirectory)
            await #expect(throws: DatabaseError.self) { try await migrator.requireCurrent() }
            let applied = try await migrator.migrate()
            #expect(applied.count >= 3)
            try await migrator.requireCurrent()
            #expect(try await migrator.migrate().isEmpty)
            let tables = try await pool.query(
                "SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
            ).first!.decode("n", as: Int.self)
            #expect(tables >= 18)
        }
    }

    @Test func dryRunAndStatusChangeNothing() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let migrator = try Migrator(pool: pool, directory: try scratchMigrations(basic))
            #expect(try await migrator.migrate(dryRun: true).map(\.fileName) == ["0001_first.sql", "0002_second.sql"])
            #expect(try await migrator.status().map(\.state) == [.pending, .pending])
            let exists = try await pool.query("SELECT to_regclass('a') IS NOT NULL AS e").first!.decode("e", as: Bool.self)
            #expect(!exists)
        }
    }

    @Test func anEditedAppliedFileIsRefused() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let directory = try scratchMigrations(basic)
            try await Migrator(pool: pool, directory: directory).migrate()
            try "CREATE TABLE a (id bigint PRIMARY KEY);".write(
                to: directory.appendingPathComponent("0001_first.sql"), atomically: true, encoding: .utf8)
            try "CREATE TABLE c (id int);".write(to: directory.appendingPathComponent("0003_third.sql"), atomically: true, encoding: .utf8)
            let migrator = try Migrator(pool: pool, directory: directory)
            let error = await #expect(throws: DatabaseError.self) { try await migrator.migrate() }
            #expect(error?.description.contains("0001_first.sql was edited after it was applied") == true)
            // Nothing after the refusal was applied.
            let third = try await pool.query("SELECT to_regclass('c') IS NOT NULL AS e").first!.decode("e", as: Bool.self)
            #expect(!third)
            #expect(
                try await migrator.status().first?.state
                    == .changed(appliedChecksum: try Migration.load(from: try scratchMigrations(basic))[0].checksum))
        }
    }

    @Test func aFileMissingFromDiskIsRefused() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let directory = try scratchMigrations(basic)
            try await Migrator(pool: pool, directory: directory).migrate()
            try FileManager.default.removeItem(at: directory.appendingPathComponent("0002_second.sql"))
            let error = await #expect(throws: DatabaseError.self) { try await Migrator(pool: pool, directory: directory).migrate() }
            #expect(error?.description.contains("no such file") == true)
        }
    }

    @Test func aFailingMigrationIsRolledBackAndNamed() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            var files = basic
            files["0003_broken.sql"] = "CREATE TABLE c (id int); INSERT INTO c VALUES ('not a number');"
            let error = await #expect(throws: DatabaseError.self) {
                try await Migrator(pool: pool, directory: try scratchMigrations(files)).migrate()
            }
            #expect(error?.message.contains("0003_broken.sql") == true)
            let state = try await pool.query(
                "SELECT to_regclass('b') IS NOT NULL AS b, to_regclass('c') IS NOT NULL AS c, (SELECT max(version) FROM schema_migrations) AS v"
            ).first!
            #expect(try state.decode("b", as: Bool.self))
            #expect(!(try state.decode("c", as: Bool.self)))
            #expect(try state.decode("v", as: Int.self) == 2)
        }
    }

    @Test func concurrentMigratorsApplyEachFileOnce() async throws {
        try await TestDatabase.withEmpty(maxConnections: 8) { pool async throws in
            var files = basic
            // Slow enough that the runs really overlap.
            files["0003_slow.sql"] = "SELECT pg_sleep(0.3); CREATE TABLE c (id int);"
            let directory = try scratchMigrations(files)
            let applied = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await Migrator(pool: pool, directory: directory).migrate().count }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(applied.sorted() == [0, 0, 0, 3])
            let rows = try await pool.query("SELECT count(*) AS n FROM schema_migrations").first!.decode("n", as: Int.self)
            #expect(rows == 3)
        }
    }

    @Test(arguments: ["1_short.sql", "0001-dash.sql", "0001_Upper.sql", "abcd_name.sql"])
    func badFileNamesAreRefused(_ name: String) throws {
        let directory = try scratchMigrations([name: "SELECT 1;"])
        let error = #expect(throws: DatabaseError.self) { try Migration.load(from: directory) }
        #expect(error?.description.contains(name) == true)
    }

    @Test func duplicateVersionsAndMissingFoldersAreRefused() throws {
        #expect(throws: DatabaseError.self) {
            try Migration.load(from: try scratchMigrations(["0001_a.sql": "", "0001_b.sql": ""]))
        }
        let error = #expect(throws: DatabaseError.self) { try Migration.load(from: URL(fileURLWithPath: "/nonexistent/migrations")) }
        #expect(error?.description.contains("does not exist") == true)
    }
}
