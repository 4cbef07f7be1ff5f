import Database
import DatabaseTestSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Store
import Testing
import WebApp

@Suite struct APITests {
    private var configuration: WebConfiguration {
        WebConfiguration(
            webDirectory: TestDatabase.repositoryRoot.appendingPathComponent("Web"),
            schemaDirectory: TestDatabase.repositoryRoot.appendingPathComponent("Schema"))
    }

    /// The demo consortium plus three tokens: an administrator's admin token, a member of `tokenization`, and a
    /// member who is not in it.
    private struct Fixture {
        let admin: String
        let member: String
        let outsider: String
        let store: Store
    }

    private func fixture(_ pool: DatabasePool) async throws -> Fixture {
        let demo = try DemoConsortium()
        try await DemoSeeder(pool: pool).seed(demo)
        let store = Store(pool: pool)
        let group = try #require(demo.groups.first { $0.slug.rawValue == "tokenization" })
        let inGroup = Set(demo.memberships.filter { $0.workingGroupID == group.id }.map(\.memberID))
        let admin = try #require(demo.members.first { $0.isAdmin })
        let member = try #require(demo.members.first { !$0.isAdmin && inGroup.contains($0.id) })
        let outsider = try #require(demo.members.first { !$0.isAdmin && !inGroup.contains($0.id) })
        return Fixture(
            admin: try await store.tokens.create(for: admin.email, name: "t", scope: .admin, expiresAt: nil, actor: "test").secret,
            member: try await store.tokens.create(for: member.email, name: "t", scope: .read, expiresAt: nil, actor: "test").secret,
            outsider: try await store.tokens.create(for: outsider.email, name: "t", scope: .write, expiresAt: nil, actor: "test").secret,
            store: store)
    }

    private func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(String(buffer: buffer).utf8)) as? [String: Any])
    }

    private func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    private func body(_ object: [String: Any]) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    // MARK: Tests

    @Test func everyRouteIsInTheOpenAPIDocumentAndViceVersa() async throws {
        let pool = DatabasePool(configuration: DatabaseConfiguration(connectionString: "host=/nonexistent"))
        defer { pool.shutdown() }
        let router = try await buildRouter(configuration: configuration, store: Store(pool: pool), logger: Logger(label: "test"))
        let served = Set(
            router.routes.map {
                "\($0.method) \($0.path.description.replacingOccurrences(of: #":(\w+)"#, with: "{$1}", options: .regularExpression).replacingOccurrences(of: "/**", with: "/{path}"))"
            }
            // Web pages are for people, not part of the API document; health checks are.
            .filter { $0.contains(" /api/") || $0.hasSuffix(" /healthz") || $0.hasSuffix(" /readyz") })
        let text = try String(contentsOf: configuration.schemaDirectory.appendingPathComponent("openapi.yaml"), encoding: .utf8)
        var documented = Set<String>()
        var path: String?
        for line in text.split(separator: "\n") {
            if line.hasPrefix("  /"), line.hasSuffix(":") { path = String(line.dropFirst(2).dropLast()) }
            if let path, let method = line.wholeMatch(of: /\ {4}(get|head|post|put|patch|delete):/)?.1 {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(served == documented)
        #expect(served.count >= 12)
    }

    @Test func paginationWalksEveryGroupOnceWithNextLinks() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            try await DemoSeeder(pool: pool).seed(try DemoConsortium())
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                var seen: [String] = []
                var uri: String? = "/api/v1/working-groups?limit=5"
                while let next = uri {
                    uri = try await client.execute(uri: next, method: .get) { response async throws in
                        #expect(response.status == .ok)
                        let page = try json(response.body)
                        seen += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["slug"] as? String }
                        let link = page["next"] as? String
                        #expect((response.headers[HTTPField.Name("Link")!] != nil) == (link != nil))
                        return link
                    }
                }
                #expect(seen.count == 16)
                #expect(Set(seen).count == 16)
                #expect(seen == seen.sorted())
                try await client.execute(uri: "/api/v1/working-groups?limit=500", method: .get) { response async throws in
                    #expect(response.status == .unprocessableContent)
                    #expect(try json(response.body)["errors"] != nil)
                }
                try await client.execute(uri: "/api/v1/working-groups?cursor=%%%", method: .get) { #expect($0.status == .unprocessableContent) }
            }
        }
    }

    @Test func getsCarryStrongETagsAnswered304() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            try await DemoSeeder(pool: pool).seed(try DemoConsortium())
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                let etag = try await client.execute(uri: "/api/v1/working-groups/multilinguality", method: .get) { response async throws in
                    #expect(response.status == .ok)
                    let group = try json(response.body)
                    #expect(group["name"] as? String == "Multilinguality")
                    #expect((group["chairs"] as? [String])?.count == 2)
                    #expect(group["member_count"] as? Int ?? 0 > 0)
                    #expect((group["links"] as? [String: String])?["artifacts"] == "/api/v1/artifacts?working_group=multilinguality")
                    return try #require(response.headers[.eTag])
                }
                #expect(etag.hasPrefix("\"") && !etag.hasPrefix("W/"))
                try await client.execute(uri: "/api/v1/working-groups/multilinguality", method: .get, headers: [.ifNoneMatch: etag]) {
                    response async throws in
                    #expect(response.status == .notModified)
                    #expect(response.body.readableBytes == 0)
                }
                try await client.execute(uri: "/api/v1/working-groups/no-such-group", method: .get) { response async throws in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json")
                }
            }
        }
    }

    @Test func groupComputeIsForMembersAndAdministrators() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await fixture(pool)
            let app = try await buildApplication(configuration: configuration, store: f.store, logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                for path in ["/api/v1/working-groups/tokenization/allocations", "/api/v1/working-groups/tokenization/usage"] {
                    try await client.execute(uri: path, method: .get) { response async throws in
                        #expect(response.status == .unauthorized)
                        #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                    }
                    try await client.execute(uri: path, method: .get, headers: bearer(f.outsider)) { #expect($0.status == .forbidden) }
                    try await client.execute(uri: path, method: .get, headers: bearer(f.member)) { response async throws in
                        #expect(response.status == .ok)
                        #expect((try json(response.body)["items"] as? [Any])?.isEmpty == false)
                    }
                    try await client.execute(uri: path, method: .get, headers: bearer(f.admin)) { #expect($0.status == .ok) }
                }
                try await client.execute(uri: "/api/v1/working-groups", method: .get, headers: bearer("cons_not-a-real-token")) {
                    response async throws in
                    #expect(response.status == .unauthorized)
                    #expect(try json(response.body)["type"] as? String == "/problems/invalid-token")
                }
                try await client.execute(uri: "/api/v1/working-groups", method: .get, headers: [.authorization: "Basic abc"]) {
                    #expect($0.status == .unauthorized)
                }
            }
        }
    }

    @Test func revokedAndExpiredTokensStopWorkingAtOnce() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await fixture(pool)
            let app = try await buildApplication(configuration: configuration, store: f.store, logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                let id = try await client.execute(uri: "/api/v1/tokens", method: .get, headers: bearer(f.member)) { response async throws in
                    #expect(response.status == .ok)
                    let items = try #require(try json(response.body)["items"] as? [[String: Any]])
                    #expect(items.count == 1)
                    #expect(items[0]["last_used_at"] is String)
                    #expect(String(describing: items).contains("cons_") == true)  // the prefix, shown so people can tell tokens apart
                    return try #require(items[0]["id"] as? String)
                }
                try await client.execute(uri: "/api/v1/tokens/\(id)", method: .delete, headers: bearer(f.outsider)) {
                    #expect($0.status == .notFound)
                }
                try await client.execute(uri: "/api/v1/tokens/\(id)", method: .delete, headers: bearer(f.member)) { #expect($0.status == .noContent) }
                try await client.execute(uri: "/api/v1/tokens", method: .get, headers: bearer(f.member)) { #expect($0.status == .unauthorized) }
            }
            try await pool.query("UPDATE api_tokens SET created_at = now() - interval '2 days', expires_at = now() - interval '1 second'")
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/api/v1/tokens", method: .get, headers: bearer(f.admin)) { #expect($0.status == .unauthorized) }
            }
        }
    }

    @Test func administratorsManageAllocationsUnderTheCLIRules() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await fixture(pool)
            let app = try await buildApplication(configuration: configuration, store: f.store, logger: Logger(label: "test"))
            let grant: [String: Any] = [
                "working_group": "tokenization", "resource": "eval-cpu-pool", "amount": 1500, "period_start": "2027-01-01",
                "period_end": "2028-01-01", "justification": "next year",
            ]
            var typo = grant
            typo["working_group"] = "tokenisation"
            var negative = grant
            negative["amount"] = -5
            negative["period_start"] = "2030-01-01"
            negative["period_end"] = "2031-01-01"
            var missing = grant
            missing["justification"] = nil
            let grantBody = try body(grant)
            let typoBody = try body(typo)
            let negativeBody = try body(negative)
            let missingBody = try body(missing)
            let tooMuchBody = try body(["by": -2000, "reason": "too much"])
            let moreBody = try body(["by": 500, "reason": "more"])
            let revokeBody = try body(["reason": "cancelled"])
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/api/v1/allocations", method: .post, body: grantBody) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/api/v1/allocations", method: .post, headers: bearer(f.member), body: grantBody) {
                    #expect($0.status == .forbidden)
                }
                let id = try await client.execute(uri: "/api/v1/allocations", method: .post, headers: bearer(f.admin), body: grantBody) {
                    response async throws in
                    #expect(response.status == .created)
                    let created = try json(response.body)
                    #expect(created["granted"] as? Double == 1500)
                    #expect(response.headers[.location] == "/api/v1/allocations/\(created["id"] as? String ?? "")")
                    return try #require(created["id"] as? String)
                }
                try await client.execute(uri: "/api/v1/allocations", method: .post, headers: bearer(f.admin), body: grantBody) {
                    response async throws in
                    #expect(response.status == .conflict)
                    #expect(
                        try json(response.body)["detail"] as? String
                            == "'tokenization' already holds a live allocation of 'eval-cpu-pool' for an overlapping period")
                }
                try await client.execute(uri: "/api/v1/allocations", method: .post, headers: bearer(f.admin), body: typoBody) {
                    response async throws in
                    #expect(response.status == .notFound)
                    #expect((try json(response.body)["detail"] as? String)?.contains("did you mean 'tokenization'?") == true)
                }
                try await client.execute(uri: "/api/v1/allocations", method: .post, headers: bearer(f.admin), body: negativeBody) {
                    response async throws in
                    #expect(response.status == .unprocessableContent)
                    #expect(String(describing: try json(response.body)["errors"]).contains("amount"))
                }
                try await client.execute(uri: "/api/v1/allocations", method: .post, headers: bearer(f.admin), body: missingBody) {
                    response async throws in
                    #expect(response.status == .unprocessableContent)
                    #expect(try json(response.body)["detail"] as? String == "justification is required")
                }
                try await client.execute(uri: "/api/v1/allocations", method: .post, headers: bearer(f.admin), body: ByteBuffer(string: "{not json")) {
                    #expect($0.status == .badRequest)
                }
                try await client.execute(
                    uri: "/api/v1/allocations/\(id)/adjust", method: .post, headers: bearer(f.admin), body: tooMuchBody
                ) { response async throws in
                    #expect(response.status == .conflict)
                }
                // Found by schemathesis: an amount beyond what numeric(14, 2) holds was a 500.
                for (huge, status) in [("3.957261779390545e+16", HTTPResponse.Status.unprocessableContent), ("1e300", .badRequest)] {
                    try await client.execute(
                        uri: "/api/v1/allocations/\(id)/adjust", method: .post, headers: bearer(f.admin),
                        body: ByteBuffer(string: #"{"by": \#(huge), "reason": "fuzz"}"#)
                    ) { response async throws in
                        #expect(response.status == status, "\(huge)")
                    }
                }
                try await client.execute(
                    uri: "/api/v1/allocations/\(id)/adjust", method: .post, headers: bearer(f.admin), body: moreBody
                ) { response async throws in
                    #expect(response.status == .ok)
                    #expect(try json(response.body)["granted"] as? Double == 2000)
                }
                try await client.execute(
                    uri: "/api/v1/allocations/\(id)/revoke", method: .post, headers: bearer(f.admin), body: revokeBody
                ) { response async throws in
                    #expect(response.status == .ok)
                    #expect(try json(response.body)["status"] as? String == "revoked")
                }
            }
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/api/v1/audit?entity_type=allocation&limit=3", method: .get, headers: bearer(f.member)) {
                    #expect($0.status == .forbidden)
                }
                try await client.execute(uri: "/api/v1/audit?entity_type=allocation&limit=3", method: .get, headers: bearer(f.admin)) {
                    response async throws in
                    #expect(response.status == .ok)
                    let items = try #require(try json(response.body)["items"] as? [[String: Any]])
                    #expect(items.compactMap { $0["action"] as? String } == ["allocation.revoke", "allocation.adjust", "allocation.grant"])
                    #expect(items.first?["reason"] as? String == "cancelled")
                    #expect(try json(response.body)["next"] is String)
                }
            }
            // The API's writes are audited under the administrator's e-mail and member id.
            let actions = try await pool.query("SELECT action FROM audit_log WHERE actor_name LIKE '%@%' AND actor_id IS NOT NULL ORDER BY id").rows
                .map { try $0.decode("action", as: String.self) }
            #expect(actions.suffix(3) == ["allocation.grant", "allocation.adjust", "allocation.revoke"])
        }
    }

    @Test func theDirectoryHidesEmailsFromAnonymousCallers() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await fixture(pool)
            let app = try await buildApplication(configuration: configuration, store: f.store, logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/api/v1/members?limit=200", method: .get) { response async throws in
                    #expect(response.status == .ok)
                    let text = String(buffer: response.body)
                    #expect(!text.contains("@"))
                    #expect((try json(response.body)["items"] as? [Any])?.count == 200)
                }
                try await client.execute(uri: "/api/v1/members?working_group=tokenization&limit=200", method: .get, headers: bearer(f.member)) {
                    response async throws in
                    let items = try #require(try json(response.body)["items"] as? [[String: Any]])
                    #expect(!items.isEmpty)
                    #expect(items.allSatisfy { ($0["email"] as? String)?.contains("@") == true })
                    #expect(items.allSatisfy { ($0["groups"] as? [String: String])?["tokenization"] != nil })
                }
                var walked = 0
                var uri: String? = "/api/v1/institutions?limit=100"
                while let next = uri {
                    uri = try await client.execute(uri: next, method: .get) { response async throws in
                        walked += (try json(response.body)["items"] as? [Any])?.count ?? 0
                        return try json(response.body)["next"] as? String
                    }
                }
                #expect(walked == 250)
                try await client.execute(uri: "/api/v1/institutions?country=fr&limit=200", method: .get) { response async throws in
                    let items = try #require(try json(response.body)["items"] as? [[String: Any]])
                    #expect(items.count == 5)
                    #expect(items.allSatisfy { $0["country"] as? String == "FR" })
                }
                try await client.execute(uri: "/api/v1/compute-resources", method: .get) { response async throws in
                    let items = try #require(try json(response.body)["items"] as? [[String: Any]])
                    #expect(items.compactMap { $0["unit"] as? String }.sorted() == ["cpu_hours", "gpu_hours"])
                }
            }
        }
    }

    @Test func unknownFieldsAreRefusedByName() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await fixture(pool)
            let app = try await buildApplication(configuration: configuration, store: f.store, logger: Logger(label: "test"))
            let misspelt = try body(["reason": "x", "reasn": "typo"])
            let listed = try await f.store.allocations.list(.init(group: "tokenization"))
            let id = try #require(listed.first?.allocation.id)
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/api/v1/allocations/\(id)/revoke", method: .post, headers: bearer(f.admin), body: misspelt) {
                    response async throws in
                    #expect(response.status == .unprocessableContent)
                    #expect((try json(response.body)["detail"] as? String)?.hasPrefix("reasn is not a field of this request") == true)
                }
            }
            #expect(try await f.store.allocations.find(id).allocation.status == .active)
        }
    }

    @Test func aRetriedGrantWithTheSameIdempotencyKeyGrantsOnce() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await fixture(pool)
            let app = try await buildApplication(configuration: configuration, store: f.store, logger: Logger(label: "test"))
            let grant = try body([
                "working_group": "evaluation", "resource": "eval-cpu-pool", "amount": 10, "period_start": "2029-01-01", "period_end": "2030-01-01",
                "justification": "retry me",
            ])
            let other = try body([
                "working_group": "evaluation", "resource": "eval-cpu-pool", "amount": 11, "period_start": "2029-01-01", "period_end": "2030-01-01",
                "justification": "retry me",
            ])
            var keyed = bearer(f.admin)
            keyed[HTTPField.Name("Idempotency-Key")!] = "grant-evaluation-2029"
            let headers = keyed
            try await app.test(.router) { client async throws in
                let first = try await client.execute(uri: "/api/v1/allocations", method: .post, headers: headers, body: grant) {
                    response async throws in
                    #expect(response.status == .created)
                    return String(buffer: response.body)
                }
                try await client.execute(uri: "/api/v1/allocations", method: .post, headers: headers, body: grant) { response async throws in
                    #expect(response.status == .created)
                    #expect(response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                    #expect(String(buffer: response.body) == first)
                    #expect(response.headers[.location]?.hasPrefix("/api/v1/allocations/") == true)
                }
                try await client.execute(uri: "/api/v1/allocations", method: .post, headers: headers, body: other) { response async throws in
                    #expect(response.status == .unprocessableContent)
                }
            }
            let count = try await pool.query(
                "SELECT count(*) AS n FROM allocations a JOIN working_groups g ON g.id = a.working_group_id WHERE g.slug = 'evaluation' AND a.period_start = '2029-01-01'"
            ).first?.decode("n", as: Int.self)
            #expect(count == 1)
        }
    }
}
