import Database
import DatabaseTestSupport
import Foundation
import Testing

/// `consortium allocations …` run as an administrator would, compared with golden files where output is for people.
@Suite struct AllocationsCommandTests {
    private var binary: String {
        ProcessInfo.processInfo.environment["CONSORTIUM_BIN"]
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("consortium").path
    }

    private let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    private func run(_ arguments: [String], _ pool: DatabasePool) async throws -> Shell.Outcome {
        try await Shell.run(binary, arguments, environment: ["DATABASE_URL": pool.configuration.connectionString, "USER": "test-admin"])
    }

    /// Two groups and two resources made with SQL, then allocations, charges and a sacct import through the CLI.
    private func populate(_ pool: DatabasePool) async throws {
        try await pool.withConnection { connection in
            try connection.executeScript(
                """
                INSERT INTO working_groups (slug, name) VALUES ('tokenization', 'Tokenization'), ('evaluation', 'Evaluation');
                INSERT INTO compute_resources (slug, name, kind, unit, capacity_per_year, power_watts_per_unit, carbon_g_per_kwh, slurm_cluster)
                VALUES ('gpu', 'GPU partition', 'gpu_partition', 'gpu_hours', 1000000, 400, 57, 'hpc'),
                       ('cpu', 'CPU pool', 'cpu_pool', 'cpu_hours', 1000000, 10, 50, NULL);
                """)
        }
        for (group, resource, amount, account) in [
            ("tokenization", "gpu", "120000", "wg_tok"), ("tokenization", "cpu", "5000", "wg_tok"), ("evaluation", "gpu", "2500.5", "wg_eval"),
        ] {
            let outcome = try await run(
                [
                    "allocations", "grant", "--group", group, "--resource", resource, "--amount", amount, "--from", "2026-01-01", "--to",
                    "2027-01-01",
                    "--justification", "golden", "--slurm-account", account, "--yes",
                ], pool)
            try #require(outcome.status == 0, "\(outcome.stderr)")
        }
        let sacct = FileManager.default.temporaryDirectory.appendingPathComponent("sacct-\(UUID().uuidString).txt")
        try """
        5001|wg_tok|alice|2026-02-01T00:00:00|2026-02-02T00:00:00|1-00:00:00|cpu=64,gres/gpu=8|COMPLETED
        5001.batch|wg_tok||2026-02-01T00:00:00|2026-02-02T00:00:00|1-00:00:00|cpu=64,gres/gpu=8|COMPLETED
        5002|wg_tok|bob|2026-02-03T00:00:00|2026-02-03T05:00:00|05:00:00|cpu=32|COMPLETED
        5003|wg_eval|carol|2026-02-04T00:00:00|2026-02-04T10:30:00|10:30:00|cpu=8,gres/gpu=2|TIMEOUT
        """.write(to: sacct, atomically: true, encoding: .utf8)
        let imported = try await run(["allocations", "import-usage", "--format", "sacct", sacct.path, "--yes"], pool)
        try #require(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stdout.contains("3 job(s) charged (160.00 cpu-hours, 213.00 gpu-hours), 0 already charged, 1 job step(s)"))
    }

    private func expectGolden(_ text: String, _ name: String) throws {
        let url = self.golden.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" { try text.write(to: url, atomically: true, encoding: .utf8) }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "\(name) differs from the golden file (UPDATE_GOLDEN=1 rewrites it)")
    }

    // MARK: Tests

    @Test func reportInAllThreeFormatsMatchesTheGoldenFiles() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            try await populate(pool)
            let range = ["allocations", "report", "--from", "2026-01-01", "--to", "2027-01-01"]
            let table = try await run(range, pool)
            #expect(table.status == 0)
            try expectGolden(table.stdout, "report.txt")
            try expectGolden(try await run(range + ["--json"], pool).stdout, "report.jsonl")
            try expectGolden(try await run(range + ["--csv"], pool).stdout, "report.csv")
            let list = try await run(["allocations", "list", "--group", "tokenization", "--json"], pool)
            let objects = try list.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(objects.compactMap { $0?["used"] as? Double }.sorted() == [160, 192])
            #expect(objects.compactMap { $0?["group"] as? String } == ["tokenization", "tokenization"])

            let export = try await run(["allocations", "export-slurm"], pool).stdout
            // 119,808 GPU-hours left → 7,188,480 GPU-minutes; the CPU pool has no cluster, so no cluster= clause.
            #expect(export.contains("sacctmgr -i modify account where name=wg_tok cluster=hpc set GrpTRESMins=gres/gpu=7188480"))
            #expect(export.contains("sacctmgr -i modify account where name=wg_tok set GrpTRESMins=cpu=290400"))
            #expect(export.contains("sacctmgr -i add account wg_eval cluster=hpc description=\"evaluation\" organization=consortium"))
        }
    }

    @Test func mutationsRefuseWithoutATerminalOrYes() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            try await populate(pool)
            let listed = try await run(["allocations", "list", "--group", "evaluation", "--json"], pool).stdout
            let object = try JSONSerialization.jsonObject(with: Data(listed.utf8)) as? [String: Any]
            let id = try #require(object?["id"] as? String)
            let refused = try await run(["allocations", "adjust", id, "--by", "-500", "--reason", "trim"], pool)
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("standard input is not a terminal; pass --yes"))
            let dry = try await run(["allocations", "adjust", id, "--by", "-500", "--reason", "trim", "--dry-run"], pool)
            #expect(dry.status == 0)
            #expect(dry.stdout.contains("→ granted 2,000.50"))
            #expect(dry.stdout.contains("dry run: nothing changed"))
            let unchanged = try await run(["allocations", "show", id], pool)
            #expect(unchanged.stdout.contains("granted        2,500.50 gpu-hours"))
            let done = try await run(["allocations", "adjust", id, "--by", "-500", "--reason", "trim", "--yes"], pool)
            #expect(done.status == 0)
            #expect(try await run(["allocations", "show", id], pool).stdout.contains("granted        2,000.50 gpu-hours"))
            let early = try await run(["allocations", "expire", "--as-of", "2026-12-31", "--yes"], pool)
            #expect(early.stdout.contains("No allocation has ended as of 2026-12-31."))
            let preview = try await run(["allocations", "expire", "--as-of", "2027-01-01", "--dry-run"], pool)
            #expect(preview.stdout.contains("Expire 3 allocation(s):"))
            let expired = try await run(["allocations", "expire", "--as-of", "2027-01-01", "--yes"], pool)
            #expect(expired.stdout.contains("Expired 3 allocation(s)."))
            #expect(try await run(["allocations", "list", "--status", "expired", "--csv"], pool).stdout.split(separator: "\n").count == 4)
            let audit = try await pool.query("SELECT actor_name, reason FROM audit_log WHERE action = 'allocation.adjust'").rows
            #expect(audit.count == 1)
            #expect(try audit.first?.decode("actor_name", as: String.self) == "test-admin")
        }
    }

    @Test func mistakesGetHelpfulErrors() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            try await populate(pool)
            let typo = try await run(["allocations", "list", "--group", "tokenisation"], pool)
            #expect(typo.status != 0)
            #expect(typo.stderr.contains("no working group 'tokenisation'; did you mean 'tokenization'?"))
            let backwards = try await run(
                [
                    "allocations", "grant", "--group", "evaluation", "--resource", "cpu", "--amount", "10", "--from", "2026-05-01", "--to",
                    "2026-04-01",
                    "--justification", "x", "--yes",
                ], pool)
            #expect(backwards.status != 0)
            #expect(backwards.stderr.contains("must be after --from"))
            let negative = try await run(
                [
                    "allocations", "grant", "--group", "evaluation", "--resource", "cpu", "--amount", "-10", "--from", "2026-01-01", "--to",
                    "2027-01-01",
                    "--justification", "x", "--yes",
                ], pool)
            #expect(negative.status != 0)
            let badFile = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).txt")
            try "6001|wg_tok|a|2026-02-01T00:00:00|2026-02-01T01:00:00|01:00:00|cpu=1|COMPLETED\nnot a sacct line\n".write(
                to: badFile, atomically: true, encoding: .utf8)
            let bad = try await run(["allocations", "import-usage", badFile.path, "--yes"], pool)
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("\(badFile.path):2: line: expected 8"))
            #expect(bad.stderr.contains("nothing imported"))
            let charges = try await pool.query("SELECT count(*) AS n FROM usage_records WHERE external_id LIKE '%6001'").first?.decode(
                "n", as: Int.self)
            #expect(charges == 0)
        }
    }
}
