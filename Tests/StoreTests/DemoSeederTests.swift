import Database
import DatabaseTestSupport
import Domain
import Foundation
import Store
import Testing

@Suite struct DemoSeederTests {
    private func count(_ pool: DatabasePool, _ sql: String) async throws -> Int {
        try await pool.query(SQLQuery(unsafeSQL: sql)).first!.decode(at: 0, as: Int.self)
    }

    // MARK: Tests

    @Test func generationIsDeterministic() throws {
        let a = try DemoConsortium()
        let b = try DemoConsortium()
        #expect(a.members == b.members)
        #expect(a.institutions == b.institutions)
        #expect(a.allocations == b.allocations)
    }

    @Test func seedingGivesABigScienceSizedConsortiumOnce() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let first = try await DemoSeeder(pool: pool).seed(try DemoConsortium())
            #expect(first.total > 2_000)

            #expect(try await count(pool, "SELECT count(*) FROM members") == 600)
            #expect(try await count(pool, "SELECT count(*) FROM institutions") == 250)
            #expect(try await count(pool, "SELECT count(DISTINCT country) FROM institutions") == 50)
            #expect(try await count(pool, "SELECT count(*) FROM working_groups") >= 15)
            // Every working group has at least one chair, and every member is in a group and has an institution.
            #expect(
                try await count(
                    pool,
                    "SELECT count(*) FROM working_groups g WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.working_group_id = g.id AND m.role = 'chair')"
                ) == 0)
            #expect(
                try await count(pool, "SELECT count(*) FROM members p WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.member_id = p.id)") == 0)
            #expect(
                try await count(
                    pool,
                    "SELECT count(*) FROM members p WHERE NOT EXISTS (SELECT 1 FROM affiliations a WHERE a.member_id = p.id AND a.ended_on IS NULL)")
                    == 0)
            #expect(try await count(pool, "SELECT count(*) FROM compute_resources WHERE unit = 'gpu_hours' AND peak_pflops = 28") == 1)
            #expect(try await count(pool, "SELECT count(*) FROM compute_resources WHERE unit = 'cpu_hours'") == 1)
            let activeGroups = try await count(pool, "SELECT count(*) FROM working_groups WHERE status = 'active'")
            #expect(try await count(pool, "SELECT count(*) FROM allocations") == activeGroups * 2)
            #expect(try await count(pool, "SELECT count(*) FROM usage_records") > 0)
            #expect(try await count(pool, "SELECT count(*) FROM artifacts") > 16)
            #expect(try await count(pool, "SELECT count(*) FROM audit_log WHERE action = 'allocation.grant'") == activeGroups * 2)
            // Usage stays within every allocation.
            #expect(
                try await count(
                    pool, "SELECT count(*) FROM allocations a WHERE (SELECT sum(amount) FROM usage_records u WHERE u.allocation_id = a.id) > a.amount"
                ) == 0)

            let before = try await count(
                pool,
                "SELECT (SELECT count(*) FROM members) + (SELECT count(*) FROM memberships) + (SELECT count(*) FROM usage_records) + (SELECT count(*) FROM audit_log)"
            )
            let second = try await DemoSeeder(pool: pool).seed(try DemoConsortium())
            #expect(second.total == 0)
            let after = try await count(
                pool,
                "SELECT (SELECT count(*) FROM members) + (SELECT count(*) FROM memberships) + (SELECT count(*) FROM usage_records) + (SELECT count(*) FROM audit_log)"
            )
            #expect(after == before)
        }
    }

    @Test func storesReadTheSeededRecordsBack() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let demo = try DemoConsortium()
            try await DemoSeeder(pool: pool).seed(demo)
            let store = Store(pool: pool)
            let slug = try Slug("multilinguality")
            let group = try #require(try await store.workingGroups.find(slug: slug))
            #expect(group.name == "Multilinguality")
            let roster = try await store.workingGroups.roster(of: group.id)
            #expect(roster.first?.role == .chair)
            #expect(roster.count == demo.memberships.filter { $0.workingGroupID == group.id }.count)
            let member = try #require(try await store.members.find(email: demo.members[10].email))
            #expect(member == demo.members[10])
            let balances = try await store.compute.balances(of: group.id)
            #expect(balances.count == 2)
            #expect(balances.allSatisfy { $0.remaining >= 0 && $0.used > 0 })
            let artifacts = try await store.artifacts.list(group: group.id)
            #expect(artifacts == demo.artifacts.filter { $0.workingGroupID == group.id }.sorted { $0.createdAt > $1.createdAt })
            let institution = try #require(try await store.institutions.find(slug: demo.institutions[0].slug))
            #expect(institution == demo.institutions[0])
        }
    }
}
