import ArgumentParser
import Database
import Foundation
import Logging

/// Options every subcommand takes. Each also comes from the environment or the config file (`consortium config`
/// shows the effective values); a flag wins over both.
struct GlobalOptions: ParsableArguments {
    @Option(help: "Config file of NAME=VALUE lines (default: $CONSORTIUM_CONFIG, else /etc/consortium/consortium.env when it exists).")
    var config: String?

    @Option(help: "libpq connection string or URI (default: $DATABASE_URL, else the local cluster in the data folder).")
    var databaseURL: String?

    @Option(help: "Most database connections this process opens (default: $DATABASE_POOL_SIZE, else 8).")
    var databasePoolSize: Int?

    @Option(help: "Folder for artifact contents, the checkpoint cache and the local cluster (default: $CONSORTIUM_DATA_DIR, else .data).")
    var dataDir: String?

    @Option(help: "Folder with migrations/ (default: $CONSORTIUM_SCHEMA_DIR, else Schema).")
    var schemaDir: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default: $CONSORTIUM_LOG_LEVEL, else info).")
    var logLevel: String?

    @Option(help: "Log format: text or json (default: $CONSORTIUM_LOG_FORMAT, else text).")
    var logFormat: String?

    /// The effective settings: these options and a command's own `flags`, over the environment, the config file and defaults.
    func settings(_ flags: [Setting: String?] = [:]) throws -> Settings {
        var all: [Setting: String?] = [
            .config: self.config, .databaseURL: self.databaseURL, .databasePoolSize: self.databasePoolSize.map(String.init),
            .dataDir: self.dataDir, .schemaDir: self.schemaDir, .logLevel: self.logLevel, .logFormat: self.logFormat,
        ]
        all.merge(flags) { _, command in command }
        return try Settings(flags: all)
    }

    /// The pool the command works through.
    func pool() throws -> DatabasePool {
        let settings = try self.settings()
        var environment: [String: String] = [:]
        environment[Setting.databaseURL.name] = settings.string(.databaseURL)
        environment[Setting.databasePoolSize.name] = try settings.integer(.databasePoolSize, in: 1...1000).map(String.init)
        environment[Setting.dataDir.name] = settings.string(.dataDir)
        return DatabasePool(
            configuration: DatabaseConfiguration.resolve(environment: environment), logger: self.logger(label: "consortium.database"))
    }

    /// A pool on a database whose schema is current; one clear error (and no pool left open) otherwise.
    func migratedPool() async throws -> DatabasePool {
        let pool = try self.pool()
        do {
            try await Migrator(pool: pool, directory: self.migrationsDirectory).requireCurrent()
            return pool
        } catch {
            pool.shutdown()
            throw error
        }
    }

    /// The folder of artifact contents, the checkpoint cache and the local cluster.
    var dataDirectory: URL {
        URL(fileURLWithPath: (try? self.settings().string(.dataDir)) ?? ".data")
    }

    var schemaDirectory: URL {
        URL(fileURLWithPath: (try? self.settings().string(.schemaDir)) ?? "Schema")
    }

    var migrationsDirectory: URL { self.schemaDirectory.appendingPathComponent("migrations") }

    /// A logger at the configured level and format; a setting that does not parse falls back to the default here and
    /// is reported by `pool()` or `settings()`, which every command resolves.
    func logger(label: String = "consortium") -> Logger {
        let settings = try? self.settings()
        let format = (try? settings?.logFormat()) ?? .text
        var logger = Logger(label: label) { label in
            switch format {
            case .text: StreamLogHandler.standardError(label: label)
            case .json: JSONLogHandler(label: label)
            }
        }
        logger.logLevel = (try? settings?.logLevel()) ?? .info
        return logger
    }
}
