public import ArgumentParser
import Database
import Foundation
import Logging

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "libpq connection string or URI (default: $DATABASE_URL, else the local cluster in .data/postgres).")
    var databaseURL: String?

    @Option(help: "Folder with migrations/ (default: Schema).")
    var schemaDir: String = "Schema"

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .info

    /// The pool the command works through.
    func pool() -> DatabasePool {
        DatabasePool(configuration: DatabaseConfiguration.resolve(databaseURL: self.databaseURL), logger: self.logger(label: "consortium.database"))
    }

    /// A pool on a database whose schema is current; one clear error (and no pool left open) otherwise.
    func migratedPool() async throws -> DatabasePool {
        let pool = self.pool()
        do {
            try await Migrator(pool: pool, directory: self.migrationsDirectory).requireCurrent()
            return pool
        } catch {
            pool.shutdown()
            throw error
        }
    }

    var migrationsDirectory: URL {
        URL(fileURLWithPath: self.schemaDir).appendingPathComponent("migrations")
    }

    func logger(label: String = "consortium") -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = self.logLevel
        return logger
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
