import ArgumentParser
import Database
import Foundation
import Hummingbird
import Logging
import Store
import WebApp

extension Consortium {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the web pages and the API.",
            discussion: "SIGTERM or SIGINT: stop accepting connections, finish the requests in flight, exit.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "libpq URI of a streaming replica for the queries of GET and HEAD requests (default: $DATABASE_READ_URL, else none).")
        var readDatabaseURL: String?

        @Option(help: "Address to listen on (default: $CONSORTIUM_HOST, else 127.0.0.1).")
        var host: String?

        @Option(help: "Port to listen on (default: $CONSORTIUM_PORT, else 8080).")
        var port: Int?

        @Option(help: "Folder with templates/ and static/ (default: $CONSORTIUM_WEB_DIR, else Web).")
        var webDir: String?

        @Option(help: "Largest JSON request body in bytes (default: $CONSORTIUM_MAX_BODY_BYTES, else 262144).")
        var maxBodyBytes: Int?

        @Option(help: "Largest artifact file upload in bytes (default: $CONSORTIUM_MAX_UPLOAD_BYTES, else 16 GiB).")
        var maxUploadBytes: Int64?

        @Option(
            help:
                "Seconds a public API read may be answered from memory; changes forget it sooner (default: $CONSORTIUM_API_CACHE_SECONDS, else 10; 0: never)."
        )
        var apiCacheSeconds: Int?

        func run() async throws {
            let settings = try self.options.settings([
                .host: self.host, .port: self.port.map(String.init), .webDir: self.webDir, .maxBodyBytes: self.maxBodyBytes.map(String.init),
                .maxUploadBytes: self.maxUploadBytes.map(String.init),
                .readDatabaseURL: self.readDatabaseURL, .apiCacheSeconds: self.apiCacheSeconds.map(String.init),
            ])
            let host = settings.string(.host) ?? "127.0.0.1"
            let port = try settings.integer(.port, in: 1...65535) ?? 8080
            let configuration = WebConfiguration(
                host: host, port: port, webDirectory: URL(fileURLWithPath: settings.string(.webDir) ?? "Web"),
                schemaDirectory: self.options.schemaDirectory, dataDirectory: self.options.dataDirectory,
                maxBodyBytes: Int(try settings.bytes(.maxBodyBytes, in: 1024...(1 << 30)) ?? 256 * 1024),
                maxUploadBytes: try settings.bytes(.maxUploadBytes, in: 1...(1 << 50)) ?? 16 << 30,
                publicCacheSeconds: try settings.integer(.apiCacheSeconds, in: 0...86_400) ?? 10)
            let logger = self.options.logger()
            let pool = try self.options.pool()
            defer { pool.shutdown() }
            // Refuse to serve a schema that is behind: every query would fail in confusing ways.
            try await Migrator(pool: pool, directory: self.options.migrationsDirectory).requireCurrent()
            let replica = try settings.string(.readDatabaseURL).map { url in
                DatabasePool(
                    configuration: DatabaseConfiguration(
                        connectionString: url, displayName: "the read replica at \(DatabaseConfiguration.redact(url))",
                        connectionHint: "Check DATABASE_READ_URL / --read-database-url",
                        maxConnections: try settings.integer(.databasePoolSize, in: 1...1000) ?? 8),
                    logger: self.options.logger(label: "consortium.database.replica"))
            }
            defer { replica?.shutdown() }
            // A replica that is unreachable or behind would fail every GET while /readyz said ready: refuse to start.
            if let replica { try await Migrator(pool: replica, directory: self.options.migrationsDirectory).requireCurrent() }
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool, replica: replica), logger: logger)
            logger.info("serving on http://\(host):\(port)")
            // runService() installs SIGTERM/SIGINT handlers that shut the server down gracefully: the listener closes,
            // requests in flight finish, then it returns.
            try await app.runService()
            logger.info("stopped")
        }
    }
}
