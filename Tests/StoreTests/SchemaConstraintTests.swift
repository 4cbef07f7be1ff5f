import Database
import DatabaseTestSupport
import Testing

/// Every domain rule is also a database constraint: each bad row below must be refused by the schema itself.
@Suite struct SchemaConstraintTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let sql: String
        /// `23514` check, `23505` unique, `23503` foreign key, `23502` not null, `23P01` exclusion, `22xxx` bad value.
        let sqlState: String
        var testDescription: String { self.name }
    }

    /// Rows every case can refer to.
    static let fixtures = """
        INSERT INTO institutions (id, slug, name, country, ror_id, kind) VALUES
            ('00000000-0000-0000-0000-000000000001', 'inst', 'Institute', 'FR', '03yrm5c26', 'university');
        INSERT INTO members (id, name, email, orcid) VALUES
            ('00000000-0000-0000-0000-000000000002', 'Ada', 'ada@example.org', '0000-0002-1825-0097');
        INSERT INTO working_groups (id, slug, name) VALUES ('00000000-0000-0000-0000-000000000003', 'evaluation', 'Evaluation');
        INSERT INTO compute_resources (id, slug, name, kind, unit, capacity_per_year, power_watts_per_unit, carbon_g_per_kwh) VALUES
            ('00000000-0000-0000-0000-000000000004', 'cpu', 'CPU pool', 'cpu_pool', 'cpu_hours', 1000, 10, 50);
        INSERT INTO allocations (id, working_group_id, resource_id, amount, period_start, period_end) VALUES
            ('00000000-0000-0000-0000-000000000005', '00000000-0000-0000-0000-000000000003', '00000000-0000-0000-0000-000000000004',
             100, '2026-01-01', '2027-01-01');
        INSERT INTO artifacts (id, working_group_id, kind, slug, title) VALUES
            ('00000000-0000-0000-0000-000000000006', '00000000-0000-0000-0000-000000000003', 'checkpoint', 'model', 'Model');
        INSERT INTO memberships (member_id, working_group_id, role, started_on) VALUES
            ('00000000-0000-0000-0000-000000000002', '00000000-0000-0000-0000-000000000003', 'chair', '2026-01-01');
        INSERT INTO usage_records (allocation_id, amount, source, external_id) VALUES
            ('00000000-0000-0000-0000-000000000005', 1, 'slurm', 'job-1');
        INSERT INTO evaluation_suites (id, slug, name) VALUES ('00000000-0000-0000-0000-000000000007', 'suite', 'Suite');
        INSERT INTO evaluation_tasks (id, slug, name, kind, metrics) VALUES
            ('00000000-0000-0000-0000-000000000008', 'task', 'Task', 'perplexity', '{perplexity}');
        """

    static let group = "'00000000-0000-0000-0000-000000000003'"
    static let member = "'00000000-0000-0000-0000-000000000002'"
    static let resource = "'00000000-0000-0000-0000-000000000004'"
    static let allocation = "'00000000-0000-0000-0000-000000000005'"
    static let artifact = "'00000000-0000-0000-0000-000000000006'"
    static let suite = "'00000000-0000-0000-0000-000000000007'"
    static let task = "'00000000-0000-0000-0000-000000000008'"

    static let cases: [Case] = [
        Case(
            name: "institution country not ISO", sql: "INSERT INTO institutions (slug, name, country, kind) VALUES ('x', 'X', 'fr', 'university')",
            sqlState: "23514"),
        Case(
            name: "institution kind unknown", sql: "INSERT INTO institutions (slug, name, country, kind) VALUES ('x', 'X', 'FR', 'club')",
            sqlState: "23514"),
        Case(
            name: "institution slug taken", sql: "INSERT INTO institutions (slug, name, country, kind) VALUES ('inst', 'X', 'FR', 'company')",
            sqlState: "23505"),
        Case(
            name: "institution slug uppercase", sql: "INSERT INTO institutions (slug, name, country, kind) VALUES ('Inst', 'X', 'FR', 'company')",
            sqlState: "23514"),
        Case(
            name: "institution ROR malformed",
            sql: "INSERT INTO institutions (slug, name, country, kind, ror_id) VALUES ('y', 'Y', 'FR', 'company', 'ror-1')", sqlState: "23514"),
        Case(
            name: "institution ROR taken",
            sql: "INSERT INTO institutions (slug, name, country, kind, ror_id) VALUES ('y', 'Y', 'FR', 'company', '03yrm5c26')", sqlState: "23505"),
        Case(
            name: "institution blank name", sql: "INSERT INTO institutions (slug, name, country, kind) VALUES ('z', '   ', 'FR', 'company')",
            sqlState: "23514"),
        Case(name: "member e-mail taken in other case", sql: "INSERT INTO members (name, email) VALUES ('B', 'ADA@example.org')", sqlState: "23505"),
        Case(name: "member e-mail malformed", sql: "INSERT INTO members (name, email) VALUES ('B', 'not-an-email')", sqlState: "23514"),
        Case(
            name: "member ORCID malformed", sql: "INSERT INTO members (name, email, orcid) VALUES ('B', 'b@example.org', '1234')", sqlState: "23514"),
        Case(name: "member name missing", sql: "INSERT INTO members (email) VALUES ('c@example.org')", sqlState: "23502"),
        Case(
            name: "affiliation ends before it starts",
            sql:
                "INSERT INTO affiliations (member_id, institution_id, started_on, ended_on) VALUES (\(member), '00000000-0000-0000-0000-000000000001', '2026-02-01', '2026-01-01')",
            sqlState: "23514"),
        Case(
            name: "affiliation with unknown institution",
            sql: "INSERT INTO affiliations (member_id, institution_id, started_on) VALUES (\(member), gen_random_uuid(), '2026-01-01')",
            sqlState: "23503"),
        Case(
            name: "working group status unknown", sql: "INSERT INTO working_groups (slug, name, status) VALUES ('w', 'W', 'paused')",
            sqlState: "23514"),
        Case(name: "working group name taken", sql: "INSERT INTO working_groups (slug, name) VALUES ('eval-2', 'Evaluation')", sqlState: "23505"),
        Case(
            name: "membership role unknown",
            sql: "INSERT INTO memberships (member_id, working_group_id, role, started_on) VALUES (\(member), \(group), 'king', '2026-01-01')",
            sqlState: "23514"),
        Case(
            name: "overlapping membership",
            sql: "INSERT INTO memberships (member_id, working_group_id, role, started_on) VALUES (\(member), \(group), 'member', '2026-06-01')",
            sqlState: "23P01"),
        Case(
            name: "membership of unknown member",
            sql:
                "INSERT INTO memberships (member_id, working_group_id, role, started_on) VALUES (gen_random_uuid(), \(group), 'member', '2026-06-01')",
            sqlState: "23503"),
        Case(
            name: "artifact kind unknown", sql: "INSERT INTO artifacts (working_group_id, kind, slug, title) VALUES (\(group), 'meme', 'm', 'M')",
            sqlState: "23514"),
        Case(
            name: "artifact same slug and version",
            sql: "INSERT INTO artifacts (working_group_id, kind, slug, title) VALUES (\(group), 'checkpoint', 'model', 'Again')", sqlState: "23505"),
        Case(
            name: "artifact published without date",
            sql: "INSERT INTO artifacts (working_group_id, kind, slug, title, status) VALUES (\(group), 'paper', 'p', 'P', 'published')",
            sqlState: "23514"),
        Case(
            name: "artifact metadata not an object",
            sql: "INSERT INTO artifacts (working_group_id, kind, slug, title, metadata) VALUES (\(group), 'paper', 'q', 'Q', '[1]')",
            sqlState: "23514"),
        Case(
            name: "artifact of unknown group",
            sql: "INSERT INTO artifacts (working_group_id, kind, slug, title) VALUES (gen_random_uuid(), 'paper', 'r', 'R')", sqlState: "23503"),
        Case(
            name: "file path traversal",
            sql: "INSERT INTO artifact_files (artifact_id, path, sha256, size_bytes) VALUES (\(artifact), '../x', repeat('a', 64), 1)",
            sqlState: "23514"),
        Case(
            name: "file path absolute",
            sql: "INSERT INTO artifact_files (artifact_id, path, sha256, size_bytes) VALUES (\(artifact), '/x', repeat('a', 64), 1)",
            sqlState: "23514"),
        Case(
            name: "file path control character",
            sql: "INSERT INTO artifact_files (artifact_id, path, sha256, size_bytes) VALUES (\(artifact), 'a' || chr(10) || 'b', repeat('a', 64), 1)",
            sqlState: "23514"),
        Case(
            name: "file digest not hex",
            sql: "INSERT INTO artifact_files (artifact_id, path, sha256, size_bytes) VALUES (\(artifact), 'x', repeat('g', 64), 1)", sqlState: "23514"
        ),
        Case(
            name: "file size negative",
            sql: "INSERT INTO artifact_files (artifact_id, path, sha256, size_bytes) VALUES (\(artifact), 'x', repeat('a', 64), -1)",
            sqlState: "23514"),
        Case(
            name: "resource unit disagrees with kind",
            sql:
                "INSERT INTO compute_resources (slug, name, kind, unit, capacity_per_year, power_watts_per_unit, carbon_g_per_kwh) VALUES ('g', 'G', 'gpu_partition', 'cpu_hours', 1, 1, 1)",
            sqlState: "23514"),
        Case(
            name: "resource capacity negative",
            sql:
                "INSERT INTO compute_resources (slug, name, kind, unit, capacity_per_year, power_watts_per_unit, carbon_g_per_kwh) VALUES ('g', 'G', 'cpu_pool', 'cpu_hours', -1, 1, 1)",
            sqlState: "23514"),
        Case(
            name: "allocation amount negative",
            sql:
                "INSERT INTO allocations (working_group_id, resource_id, amount, period_start, period_end, status) VALUES (\(group), \(resource), -5, '2028-01-01', '2029-01-01', 'requested')",
            sqlState: "23514"),
        Case(
            name: "allocation period backwards",
            sql:
                "INSERT INTO allocations (working_group_id, resource_id, amount, period_start, period_end) VALUES (\(group), \(resource), 5, '2029-01-01', '2028-01-01')",
            sqlState: "23514"),
        Case(
            name: "allocation overlapping a live one",
            sql:
                "INSERT INTO allocations (working_group_id, resource_id, amount, period_start, period_end) VALUES (\(group), \(resource), 5, '2026-06-01', '2026-07-01')",
            sqlState: "23P01"),
        Case(
            name: "allocation status unknown",
            sql:
                "INSERT INTO allocations (working_group_id, resource_id, amount, period_start, period_end, status) VALUES (\(group), \(resource), 5, '2030-01-01', '2031-01-01', 'maybe')",
            sqlState: "23514"),
        Case(
            name: "usage negative", sql: "INSERT INTO usage_records (allocation_id, amount, source) VALUES (\(allocation), -1, 'manual')",
            sqlState: "23514"),
        Case(
            name: "usage charged twice for one job",
            sql: "INSERT INTO usage_records (allocation_id, amount, source, external_id) VALUES (\(allocation), 2, 'slurm', 'job-1')",
            sqlState: "23505"),
        Case(
            name: "usage source unknown", sql: "INSERT INTO usage_records (allocation_id, amount, source) VALUES (\(allocation), 1, 'guess')",
            sqlState: "23514"),
        Case(
            name: "usage of unknown allocation",
            sql: "INSERT INTO usage_records (allocation_id, amount, source) VALUES (gen_random_uuid(), 1, 'manual')", sqlState: "23503"),
        Case(
            name: "task without metrics", sql: "INSERT INTO evaluation_tasks (slug, name, kind, metrics) VALUES ('t2', 'T', 'perplexity', '{}')",
            sqlState: "23514"),
        Case(
            name: "schedule cron with four fields",
            sql:
                "INSERT INTO schedules (working_group_id, checkpoint_artifact_id, suite_id, cron) VALUES (\(group), \(artifact), \(suite), '0 3 * *')",
            sqlState: "23514"),
        Case(
            name: "run running without lease",
            sql: "INSERT INTO runs (working_group_id, checkpoint_artifact_id, suite_id, status) VALUES (\(group), \(artifact), \(suite), 'running')",
            sqlState: "23514"),
        Case(
            name: "run finished without time",
            sql:
                "INSERT INTO runs (working_group_id, checkpoint_artifact_id, suite_id, status) VALUES (\(group), \(artifact), \(suite), 'succeeded')",
            sqlState: "23514"),
        Case(
            name: "run status unknown",
            sql: "INSERT INTO runs (working_group_id, checkpoint_artifact_id, suite_id, status) VALUES (\(group), \(artifact), \(suite), 'paused')",
            sqlState: "23514"),
        Case(
            name: "two runs for one schedule and due time",
            sql: """
                INSERT INTO schedules (id, working_group_id, checkpoint_artifact_id, suite_id, cron) VALUES ('00000000-0000-0000-0000-000000000009', \(group), \(artifact), \(suite), '0 3 * * *');
                INSERT INTO runs (working_group_id, checkpoint_artifact_id, suite_id, schedule_id, due_at) VALUES (\(group), \(artifact), \(suite), '00000000-0000-0000-0000-000000000009', '2026-05-01 03:00Z');
                INSERT INTO runs (working_group_id, checkpoint_artifact_id, suite_id, schedule_id, due_at) VALUES (\(group), \(artifact), \(suite), '00000000-0000-0000-0000-000000000009', '2026-05-01 03:00Z')
                """, sqlState: "23505"),
        Case(
            name: "result NaN",
            sql:
                "INSERT INTO runs (id, working_group_id, checkpoint_artifact_id, suite_id) VALUES ('00000000-0000-0000-0000-00000000000a', \(group), \(artifact), \(suite)); INSERT INTO results (run_id, task_id, metric, value) VALUES ('00000000-0000-0000-0000-00000000000a', \(task), 'accuracy', 'NaN')",
            sqlState: "23514"),
        Case(
            name: "token scope unknown",
            sql:
                "INSERT INTO api_tokens (member_id, name, prefix, token_hash, scope) VALUES (\(member), 't', 'cons_1234', decode(repeat('ab', 32), 'hex'), 'root')",
            sqlState: "23514"),
        Case(
            name: "token hash wrong length",
            sql:
                "INSERT INTO api_tokens (member_id, name, prefix, token_hash, scope) VALUES (\(member), 't', 'cons_1234', decode('abcd', 'hex'), 'read')",
            sqlState: "23514"),
        Case(
            name: "token expires before creation",
            sql:
                "INSERT INTO api_tokens (member_id, name, prefix, token_hash, scope, expires_at) VALUES (\(member), 't', 'cons_1234', decode(repeat('ab', 32), 'hex'), 'read', now() - interval '1 day')",
            sqlState: "23514"),
        Case(
            name: "audit action malformed",
            sql: "INSERT INTO audit_log (action, entity_type, entity_id) VALUES ('Grant Everything', 'allocation', 'x')", sqlState: "23514"),
    ]

    // MARK: Tests

    @Test func fixturesThemselvesAreValid() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            try await pool.withConnection { try $0.executeScript(Self.fixtures) }
        }
    }

    @Test(arguments: cases)
    func theSchemaRefusesABadRow(_ bad: Case) async throws {
        try await TestDatabase.withMigrated(maxConnections: 1) { pool async throws in
            try await pool.withConnection { try $0.executeScript(Self.fixtures) }
            let error = await #expect(throws: DatabaseError.self, "\(bad.name)") {
                try await pool.withTransaction { try $0.executeScript(bad.sql) }
            }
            #expect(error?.sqlState == bad.sqlState, "\(bad.name): \(error?.description ?? "accepted")")
        }
    }
}
