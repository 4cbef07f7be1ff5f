import ArgumentParser
import Database
import Foundation

extension Consortium {
    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Apply pending SQL migrations from Schema/migrations, each in its own transaction.")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "List every migration and whether it is applied, pending or changed; apply nothing.")
        var status = false

        @Flag(help: "List the migrations that would be applied, without applying them.")
        var dryRun = false

        func validate() throws {
            if self.status && self.dryRun { throw ValidationError("--status and --dry-run are alternatives; pass one") }
        }

        func run() async throws {
            let pool = try self.options.pool()
            defer { pool.shutdown() }
            let migrator = try Migrator(
                pool: pool, directory: self.options.migrationsDirectory, logger: self.options.logger(label: "consortium.migrate"))
            if self.status {
                for row in try await migrator.status() {
                    let state: String =
                        switch row.state {
                        case .applied(let at): "applied  \(ISO8601DateFormatter().string(from: at))"
                        case .pending: "pending"
                        case .changed: "CHANGED since applied"
                        case .missingFile: "MISSING file"
                        }
                    let name = row.name.padding(toLength: max(40, row.name.count), withPad: " ", startingAt: 0)
                    print(String(format: "%04d", row.version) + "  " + name + " " + state)
                }
                return
            }
            let migrations = try await migrator.migrate(dryRun: self.dryRun)
            if migrations.isEmpty {
                print("Schema is up to date.")
            } else {
                for migration in migrations { print("\(self.dryRun ? "would apply" : "applied") \(migration.fileName)") }
            }
        }
    }
}
