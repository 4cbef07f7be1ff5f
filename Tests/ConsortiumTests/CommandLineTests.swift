import Database
import DatabaseTestSupport
import Foundation
import Testing

/// Runs the real `consortium` binary, as an operator would.
@Suite struct CommandLineTests {
    private var binary: String {
        if let path = ProcessInfo.processInfo.environment["CONSORTIUM_BIN"] { return path }
        // The test bundle sits beside the products it was built with.
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("consortium").path
    }

    private func consortium(_ arguments: [String], environment: [String: String] = [:]) async throws -> Shell.Outcome {
        try await Shell.run(binary, arguments, environment: environment, removing: ["DATABASE_URL"])
    }

    private func url(of pool: DatabasePool) -> String { pool.configuration.connectionString }

    // MARK: Tests

    @Test func aWrongDatabaseURLIsOneClearLineAndAFailure() async throws {
        let outcome = try await consortium(
            ["migrate", "--status"], environment: ["DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2"])
        #expect(outcome.status != 0)
        let lines = outcome.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(outcome.stderr.contains("cannot connect to the database at postgresql://nobody@127.0.0.1:1/none"))
        #expect(outcome.stderr.contains("DATABASE_URL"))
    }

    @Test func aStoppedLocalClusterSaysHowToStartIt() async throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("no-cluster-\(UUID().uuidString)")
        let outcome = try await consortium(["seed", "--demo"], environment: ["CONSORTIUM_DATA_DIR": empty.path])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("Ops/scripts/db.sh start"))
        #expect(outcome.stderr.split(separator: "\n").count == 1)
    }

    @Test func migrateThenServeRefusalAndStatus() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let env = ["DATABASE_URL": url(of: pool)]
            let serve = try await consortium(["serve", "--port", "18999"], environment: env)
            #expect(serve.status != 0)
            #expect(serve.stderr.contains("schema is behind"))
            #expect(serve.stderr.contains("consortium migrate"))

            let dry = try await consortium(["migrate", "--dry-run"], environment: env)
            #expect(dry.status == 0)
            #expect(dry.stdout.contains("would apply 0001_people_and_groups.sql"))

            let migrate = try await consortium(["migrate"], environment: env)
            #expect(migrate.status == 0)
            #expect(migrate.stdout.contains("applied 0003_evaluation_and_access.sql"))

            let status = try await consortium(["migrate", "--status"], environment: env)
            #expect(status.stdout.split(separator: "\n").allSatisfy { $0.contains("applied") })

            let seed = try await consortium(["seed", "--demo"], environment: env)
            #expect(seed.status == 0)
            #expect(seed.stdout.contains("members +600"))
            let again = try await consortium(["seed", "--demo"], environment: env)
            #expect(again.stdout.contains("nothing to add"))
        }
    }

    @Test func aReadReplicaWithoutTheSchemaIsRefusedAtStart() async throws {
        try await TestDatabase.withMigrated { primary async throws in
            try await TestDatabase.withEmpty { empty async throws in
                let serve = try await consortium(
                    ["serve", "--port", "18998", "--read-database-url", url(of: empty)], environment: ["DATABASE_URL": url(of: primary)])
                #expect(serve.status != 0)
                #expect(serve.stderr.contains("schema is behind"))
            }
        }
    }

    @Test func badArgumentsAreRefusedWithUsage() async throws {
        let outcome = try await consortium(["seed"])
        #expect(outcome.status != 0)
        #expect(outcome.stderr.contains("pass --demo"))
        let port = try await consortium(["serve", "--port", "70000"])
        #expect(port.status != 0)
        #expect(port.stderr.contains("--port"))
        let unknown = try await consortium(["frobnicate"])
        #expect(unknown.status != 0)
    }
}
