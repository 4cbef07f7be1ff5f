import ArgumentParser
import Database
import Foundation
import Hummingbird
import Logging
import Store
import WebApp

extension Consortium {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Serve the web pages and the API.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "Port to listen on.")
        var port = 8080

        @Option(help: "Folder with templates/ and static/ (default: Web).")
        var webDir = "Web"

        @Option(help: "Folder for the server's files; artifact contents go to artifacts/ in it (default: $CONSORTIUM_DATA_DIR, else .data).")
        var dataDir: String?

        @Option(help: "Largest JSON request body in bytes.")
        var maxBodyBytes = 256 * 1024

        @Option(help: "Largest artifact file upload in bytes (default 16 GiB).")
        var maxUploadBytes: Int64 = 16 << 30

        func validate() throws {
            guard (1...65535).contains(self.port) else { throw ValidationError("--port must be between 1 and 65535") }
            guard self.maxBodyBytes >= 1024 else { throw ValidationError("--max-body-bytes must be at least 1024") }
            guard self.maxUploadBytes >= 1 else { throw ValidationError("--max-upload-bytes must be positive") }
        }

        func run() async throws {
            let logger = self.options.logger()
            let pool = self.options.pool()
            defer { pool.shutdown() }
            // Refuse to serve a schema that is behind: every query would fail in confusing ways.
            try await Migrator(pool: pool, directory: self.options.migrationsDirectory).requireCurrent()
            let configuration = WebConfiguration(
                host: self.host, port: self.port, webDirectory: URL(fileURLWithPath: self.webDir),
                schemaDirectory: URL(fileURLWithPath: self.options.schemaDir),
                dataDirectory: URL(fileURLWithPath: self.dataDir ?? ProcessInfo.processInfo.environment["CONSORTIUM_DATA_DIR"] ?? ".data"),
                maxBodyBytes: self.maxBodyBytes, maxUploadBytes: self.maxUploadBytes)
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: logger)
            logger.info("serving on http://\(self.host):\(self.port)")
            try await app.runService()
        }
    }
}
