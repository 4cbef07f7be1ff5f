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

        func validate() throws {
            guard (1...65535).contains(self.port) else { throw ValidationError("--port must be between 1 and 65535") }
        }

        func run() async throws {
            let logger = self.options.logger()
            let pool = self.options.pool()
            defer { pool.shutdown() }
            // Refuse to serve a schema that is behind: every query would fail in confusing ways.
            try await Migrator(pool: pool, directory: self.options.migrationsDirectory).requireCurrent()
            let configuration = WebConfiguration(
                host: self.host, port: self.port, webDirectory: URL(fileURLWithPath: self.webDir),
                schemaDirectory: URL(fileURLWithPath: self.options.schemaDir))
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: logger)
            logger.info("serving on http://\(self.host):\(self.port)")
            try await app.runService()
        }
    }
}
