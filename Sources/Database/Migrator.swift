public import Foundation
public import Logging

/// Applies `Schema/migrations` in order, each in its own transaction, recorded with its checksum.
///
/// Two migrators at once are safe: each holds a session advisory lock for the whole run, so the second
/// waits and then finds nothing left to do.
public struct Migrator: Sendable {
    /// Where a migration stands relative to the database.
    public enum State: Sendable, Hashable {
        /// Applied, and the file is unchanged.
        case applied(at: Date)
        /// Not yet applied.
        case pending
        /// Applied, but the file on disk has changed since.
        case changed(appliedChecksum: String)
        /// Applied, but no such file exists on disk.
        case missingFile
    }

    /// One row of `consortium migrate --status`.
    public struct Status: Sendable, Hashable {
        public let version: Int
        public let name: String
        public let state: State
    }

    /// Key of the session advisory lock that serialises migrators (any constant unique to this app).
    static let lockKey: Int64 = 0x636F_6E73_6F72_7469  // "consorti"

    let pool: DatabasePool
    let migrations: [Migration]
    let logger: Logger

    /// Reads the migration files now, so a bad folder fails before any database work.
    public init(pool: DatabasePool, directory: URL, logger: Logger = Logger(label: "consortium.migrate")) throws {
        self.pool = pool
        self.migrations = try Migration.load(from: directory)
        self.logger = logger
    }

    /// Every migration on disk or in the database, with its state, by version.
    public func status() async throws -> [Status] {
        let applied = try await self.pool.withConnection { connection in try Self.appliedMigrations(connection) }
        return Self.compare(files: self.migrations, applied: applied)
    }

    /// Applies what is pending (or, with `dryRun`, only says what would be applied).
    ///
    /// - Returns: the migrations applied, or that would be.
    /// - Throws: `DatabaseError` of kind `.migration` when an applied file changed or vanished, before applying anything;
    ///   the server's error, naming the file, when a migration fails (that migration is rolled back, earlier ones stay).
    @discardableResult
    public func migrate(dryRun: Bool = false) async throws -> [Migration] {
        let migrations = self.migrations
        let logger = self.logger
        return try await self.pool.withConnection { connection in
            try connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
            defer { _ = try? connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))") }
            if !dryRun {
                try connection.executeScript(
                    """
                    CREATE TABLE IF NOT EXISTS schema_migrations (
                        version    integer PRIMARY KEY CHECK (version > 0),
                        name       text NOT NULL,
                        checksum   text NOT NULL CHECK (checksum ~ '^[0-9a-f]{64}$'),
                        applied_at timestamptz NOT NULL DEFAULT now()
                    )
                    """)
            }
            let statuses = Self.compare(files: migrations, applied: try Self.appliedMigrations(connection))
            try Self.refuseInconsistencies(statuses, files: migrations)
            let pending = migrations.filter { migration in statuses.contains { $0.version == migration.version && $0.state == .pending } }
            guard !dryRun else { return pending }
            for migration in pending {
                logger.info("applying migration \(migration.fileName)")
                do {
                    try connection.withTransaction { tx in
                        try tx.executeScript(migration.sql)
                        try tx.query(
                            """
                            INSERT INTO schema_migrations (version, name, checksum)
                            VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                            """)
                    }
                } catch var error as DatabaseError {
                    error.message = "migration \(migration.fileName) failed and was rolled back: \(error.message)"
                    throw error
                }
            }
            return pending
        }
    }

    /// Throws unless every migration on disk is applied unchanged (what `serve` checks at start-up).
    public func requireCurrent() async throws {
        let statuses = try await self.status()
        try Self.refuseInconsistencies(statuses, files: self.migrations)
        let pending = statuses.filter { $0.state == .pending }
        guard pending.isEmpty else {
            let names = pending.map { String(format: "%04d_%@", $0.version, $0.name) }.joined(separator: ", ")
            throw DatabaseError(
                .migration, message: "the database schema is behind: \(pending.count) migration(s) pending (\(names))",
                hint: "Run `consortium migrate`")
        }
    }

    private static func refuseInconsistencies(_ statuses: [Status], files: [Migration]) throws {
        for status in statuses {
            switch status.state {
            case .changed(let appliedChecksum):
                let file = files.first { $0.version == status.version }
                throw DatabaseError(
                    .migration,
                    message: "migration \(file?.fileName ?? String(status.version)) was edited after it was applied "
                        + "(applied checksum \(appliedChecksum.prefix(12))…, file now \(file?.checksum.prefix(12) ?? "?")…)",
                    hint: "Migrations are forward-only: restore the applied text and put the change in a new migration")
            case .missingFile:
                throw DatabaseError(
                    .migration,
                    message: "the database has migration \(status.version) (\(status.name)) applied, but no such file is in the migrations folder",
                    hint: "Is this checkout older than the database?")
            case .applied, .pending:
                continue
            }
        }
    }

    private static func appliedMigrations(_ connection: Connection) throws -> [(version: Int, name: String, checksum: String, at: Date)] {
        let exists = try connection.query("SELECT to_regclass('schema_migrations') IS NOT NULL AS present").first?.decode("present", as: Bool.self)
        guard exists == true else { return [] }
        return try connection.query("SELECT version, name, checksum, applied_at FROM schema_migrations ORDER BY version").rows.map {
            (try $0.decode("version"), try $0.decode("name"), try $0.decode("checksum"), try $0.decode("applied_at"))
        }
    }

    private static func compare(files: [Migration], applied: [(version: Int, name: String, checksum: String, at: Date)]) -> [Status] {
        var statuses: [Status] = []
        for file in files {
            if let row = applied.first(where: { $0.version == file.version }) {
                statuses.append(
                    Status(
                        version: file.version, name: file.name,
                        state: row.checksum == file.checksum ? .applied(at: row.at) : .changed(appliedChecksum: row.checksum)))
            } else {
                statuses.append(Status(version: file.version, name: file.name, state: .pending))
            }
        }
        for row in applied where !files.contains(where: { $0.version == row.version }) {
            statuses.append(Status(version: row.version, name: row.name, state: .missingFile))
        }
        return statuses.sorted { $0.version < $1.version }
    }
}
