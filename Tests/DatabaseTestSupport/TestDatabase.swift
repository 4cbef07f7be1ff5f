public import Database
public import Foundation
import Synchronization

/// Fresh databases on the throwaway cluster that `Ops/test` starts, one per test, so tests
/// never see each other's rows. The cluster is named by `TEST_DATABASE_URL`.
public enum TestDatabase {
    /// The repository root (for `Schema/`, `Web/` and `Ops/`).
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The migrations folder of this checkout.
    public static var migrationsDirectory: URL {
        repositoryRoot.appendingPathComponent("Schema/migrations")
    }

    /// The admin connection string of the test cluster.
    ///
    /// - Throws: `TestDatabaseError` when `TEST_DATABASE_URL` is unset: the suite must fail, not skip.
    public static func adminURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["TEST_DATABASE_URL"], !url.isEmpty else {
            throw TestDatabaseError(
                "TEST_DATABASE_URL is not set: run the tests with Ops/test, which starts a throwaway PostgreSQL cluster")
        }
        return url
    }

    /// Runs `body` with a pool on a new empty database, dropped afterwards.
    public static func withEmpty<R>(maxConnections: Int = 4, _ body: (DatabasePool) async throws -> R) async throws -> R {
        try await self.withDatabase(template: nil, maxConnections: maxConnections, body)
    }

    /// Runs `body` with a pool on a new database that already has every migration applied.
    public static func withMigrated<R>(maxConnections: Int = 4, _ body: (DatabasePool) async throws -> R) async throws -> R {
        let template = try await MigratedTemplate.shared.name()
        return try await self.withDatabase(template: template, maxConnections: maxConnections, body)
    }

    /// A configuration for database `name` on the test cluster.
    public static func configuration(database name: String, maxConnections: Int = 4) throws -> DatabaseConfiguration {
        DatabaseConfiguration(
            connectionString: try adminURL() + " dbname=\(name)", displayName: "test database \(name)", maxConnections: maxConnections,
            // Generous: a free connection is handed over at once, but the waiter must then get a cooperative thread, and
            // suites that compute (inference) can hold both of a 2-core machine's for a minute; a wait is not what these
            // tests measure (PoolTests failed twice this way in full runs under load).
            acquireTimeout: .seconds(300))
    }

    private static func withDatabase<R>(
        template: String?, maxConnections: Int, _ body: (DatabasePool) async throws -> R
    ) async throws -> R {
        let name = "test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let admin = DatabasePool(configuration: DatabaseConfiguration(connectionString: try adminURL(), maxConnections: 1))
        defer { admin.shutdown() }
        let templateClause = template.map { " TEMPLATE \($0)" } ?? ""
        try await admin.query(SQLQuery(unsafeSQL: "CREATE DATABASE \(name)\(templateClause)"))
        let pool = DatabasePool(configuration: try configuration(database: name, maxConnections: maxConnections))
        do {
            let value = try await body(pool)
            pool.shutdown()
            try await admin.query(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
            return value
        } catch {
            pool.shutdown()
            _ = try? await admin.query(SQLQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"))
            throw error
        }
    }
}

/// One migrated template database per test process; fresh databases are cheap copies of it.
actor MigratedTemplate {
    static let shared = MigratedTemplate()
    private var created: String?

    func name() async throws -> String {
        if let created { return created }
        let name = "template_\(ProcessInfo.processInfo.processIdentifier)_\(UInt32.random(in: 0...UInt32.max))"
        let admin = DatabasePool(configuration: DatabaseConfiguration(connectionString: try TestDatabase.adminURL(), maxConnections: 1))
        defer { admin.shutdown() }
        try await admin.query(SQLQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        let pool = DatabasePool(configuration: try TestDatabase.configuration(database: name, maxConnections: 1))
        try await Migrator(pool: pool, directory: TestDatabase.migrationsDirectory).migrate()
        pool.shutdown()
        self.created = name
        return name
    }
}

/// The test environment is not set up.
public struct TestDatabaseError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
