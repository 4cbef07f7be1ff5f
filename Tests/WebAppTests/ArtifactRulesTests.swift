import Database
import DatabaseTestSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing
import WebApp

/// Who may write what, concurrent editors, pagination under inserts, and hostile strings.
@Suite struct ArtifactRulesTests {
    typealias F = ArtifactFixture
    typealias Role = ArtifactFixture.Role

    /// Every artifact write endpoint against every kind of caller: allowed ones succeed, the others get 403, and
    /// anonymous callers 401.
    @Test func everyRoleAgainstEveryWriteEndpoint() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let writers: Set<Role> = [.creator, .chair, .admin]  // who may change an existing artifact
            let registrars: Set<Role> = [.member, .creator, .chair, .admin]  // who may register one for the group
            try await f.app().test(.router) { client async throws in
                for (index, role) in Role.allCases.enumerated() {
                    let n = index + 1
                    // Drafts are invisible outside their group, so an outsider learns "not found", not "forbidden".
                    func check(_ response: TestResponse, allowed: Bool, draft: Bool = true, _ what: String) {
                        let expected: [HTTPResponse.Status] =
                            allowed
                            ? [.ok, .created, .noContent]
                            : role == .anonymous ? [.unauthorized] : role == .outsider && draft ? [.notFound] : [.forbidden]
                        #expect(expected.contains(response.status), "\(role) \(what): \(response.status)")
                    }
                    let register = try F.body(["working_group": f.group.slug.rawValue, "kind": "dataset", "slug": "by-\(role)", "title": "T"])
                    try await client.execute(uri: "/api/v1/artifacts", method: .post, headers: f.headers(role), body: register) {
                        check($0, allowed: registrars.contains(role), draft: false, "register")
                    }
                    let draft = try await f.draft(slug: "matrix-\(n)", file: [UInt8(n)])
                    try await client.execute(
                        uri: "/api/v1/artifacts/\(draft)", method: .patch, headers: f.headers(role), body: try F.body(["title": "Edited"])
                    ) { check($0, allowed: writers.contains(role), "patch") }
                    try await client.execute(
                        uri: "/api/v1/artifacts/\(draft)/files/extra.txt", method: .put, headers: f.headers(role), body: ByteBuffer(bytes: [1])
                    ) { check($0, allowed: writers.contains(role), "upload") }
                    try await client.execute(uri: "/api/v1/artifacts/\(draft)/files/config.json", method: .delete, headers: f.headers(role)) {
                        check($0, allowed: writers.contains(role), "delete file")
                    }
                    let toPublish = try await f.draft(slug: "publish-\(n)", file: [UInt8(n), 1])
                    try await client.execute(uri: "/api/v1/artifacts/\(toPublish)/publish", method: .post, headers: f.headers(role)) {
                        check($0, allowed: writers.contains(role), "publish")
                    }
                    let published = try await f.draft(slug: "withdraw-\(n)", file: [UInt8(n), 2], publish: true)
                    try await client.execute(
                        uri: "/api/v1/artifacts/\(published)/withdraw", method: .post, headers: f.headers(role), body: try F.body(["reason": "r"])
                    ) { check($0, allowed: writers.contains(role), draft: false, "withdraw") }
                    let toDelete = try await f.draft(slug: "delete-\(n)")
                    try await client.execute(uri: "/api/v1/artifacts/\(toDelete)", method: .delete, headers: f.headers(role)) {
                        check($0, allowed: writers.contains(role), "delete")
                    }
                    // Refused writes changed nothing.
                    let after = try #require(try await f.store.artifacts.find(published))
                    #expect(after.artifact.status == (writers.contains(role) ? .withdrawn : .published))
                    #expect((try await f.store.artifacts.find(toDelete) == nil) == writers.contains(role))
                }
            }
        }
    }

    @Test func revokedTokensStopWorkingImmediately() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let draft = try await f.draft(slug: "revoked")
            let creator = try #require(f.members[.creator])
            try await f.app().test(.router) { client async throws in
                try await client.execute(uri: "/api/v1/artifacts/\(draft)", method: .get, headers: f.headers(.creator)) { #expect($0.status == .ok) }
                for token in try await f.store.tokens.list(member: creator.id) {
                    _ = try await f.store.tokens.revoke(token.id, member: creator.id, actor: "test")
                }
                try await client.execute(
                    uri: "/api/v1/artifacts/\(draft)", method: .patch, headers: f.headers(.creator), body: try F.body(["title": "x"])
                ) {
                    #expect($0.status == .unauthorized)
                }
            }
        }
    }

    @Test func twoEditorsCannotOverwriteEachOther() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let id = try await f.draft(slug: "contested", file: [1, 2, 3])
            try await f.app().test(.router) { client async throws in
                let etag = try await client.execute(uri: "/api/v1/artifacts/\(id)", method: .get, headers: f.headers(.chair)) {
                    try #require($0.headers[.eTag])
                }
                // Both editors read the same version and race to change it: exactly one wins, the other gets 412.
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for (role, title) in [(Role.chair, "Chair's title"), (Role.creator, "Creator's title")] {
                        group.addTask {
                            try await client.execute(
                                uri: "/api/v1/artifacts/\(id)", method: .patch, headers: f.headers(role, [.ifMatch: etag]),
                                body: try F.body(["title": title])
                            ) { $0.status }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses.sorted { $0.code < $1.code } == [.ok, .preconditionFailed])
                let title = try #require(try await f.store.artifacts.find(id)).artifact.title
                #expect(["Chair's title", "Creator's title"].contains(title))
                // The stale version cannot delete or publish either; the current one can.
                try await client.execute(uri: "/api/v1/artifacts/\(id)", method: .delete, headers: f.headers(.chair, [.ifMatch: etag])) {
                    #expect($0.status == .preconditionFailed)
                    #expect($0.headers[.contentType] == "application/problem+json")
                }
                let current = try await client.execute(uri: "/api/v1/artifacts/\(id)", method: .get, headers: f.headers(.chair)) {
                    try #require($0.headers[.eTag])
                }
                #expect(current != etag)
                try await client.execute(uri: "/api/v1/artifacts/\(id)/publish", method: .post, headers: f.headers(.chair, [.ifMatch: current])) {
                    #expect($0.status == .ok)
                }
                // A file's If-Match is its SHA-256; If-None-Match: * means "only if nothing is there yet".
                let other = try await f.draft(slug: "files", file: [9])
                let fileURL = "/api/v1/artifacts/\(other)/files/config.json"
                try await client.execute(uri: fileURL, method: .put, headers: f.headers(.creator, [.ifNoneMatch: "*"]), body: ByteBuffer(bytes: [8]))
                {
                    #expect($0.status == .preconditionFailed)
                }
                try await client.execute(
                    uri: fileURL, method: .put, headers: f.headers(.creator, [.ifMatch: "\"\(F.sha256([9]))\""]), body: ByteBuffer(bytes: [8])
                ) { #expect($0.status == .ok) }
                try await client.execute(uri: fileURL, method: .delete, headers: f.headers(.creator, [.ifMatch: "\"\(F.sha256([9]))\""])) {
                    #expect($0.status == .preconditionFailed)
                }
                #expect(try await f.store.artifacts.file(of: other, path: "config.json")?.sha256 == F.sha256([8]))
            }
        }
    }

    @Test func pagesNeitherRepeatNorSkipWhileArtifactsArrive() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            var existing: Set<String> = []
            for i in 0..<23 { existing.insert(try await f.draft(slug: "early-\(i)", file: [UInt8(i)], publish: true).description) }
            // What an anonymous reader could see when paging began (the demo's own artifacts of the group included).
            let before = Set(
                try await f.store.artifacts.page(.init(group: f.group.slug.rawValue), viewer: .anonymous, after: nil, limit: 1000)
                    .map(\.artifact.id.description))
            #expect(before.isSuperset(of: existing))
            try await f.app().test(.router) { client async throws in
                var seen: [String] = []
                var uri: String? = "/api/v1/artifacts?working_group=\(f.group.slug.rawValue)&limit=5"
                var inserted = 0
                while let next = uri {
                    uri = try await client.execute(uri: next, method: .get) { response async throws in
                        #expect(response.status == .ok)
                        let page = try F.json(response.body)
                        seen += (page["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
                        return page["next"] as? String
                    }
                    // Someone publishes between every two pages.
                    inserted += 1
                    _ = try await f.draft(slug: "late-\(inserted)", file: [UInt8(inserted), 7], publish: true)
                }
                #expect(seen.count == Set(seen).count)
                #expect(Set(seen).isSuperset(of: before))
                #expect(Set(seen).subtracting(before).isEmpty)
            }
        }
    }

    @Test func hostileStringsAreStoredVerbatimAndServedHarmlessly() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let title = "Robert'); DROP TABLE artifacts;-- <script>alert(1)</script>"
            let html = Array("<html><script>alert(document.cookie)</script></html>".utf8)
            try await f.app().test(.router) { client async throws in
                let register = try F.body([
                    "working_group": f.group.slug.rawValue, "kind": "report", "slug": "hostile", "title": title,
                    "description": "\"quotes\" & <b>tags</b> \u{202E}rtl", "metadata": ["x'; --": "<img src=x onerror=alert(1)>"],
                ])
                let id = try await client.execute(uri: "/api/v1/artifacts", method: .post, headers: f.headers(.member), body: register) {
                    response async throws in
                    #expect(response.status == .created)
                    return try #require(try F.json(response.body)["id"] as? String)
                }
                try await client.execute(uri: "/api/v1/artifacts/\(id)", method: .get, headers: f.headers(.member)) { response async throws in
                    let artifact = try F.json(response.body)
                    #expect(artifact["title"] as? String == title)
                    #expect(artifact["description"] as? String == "\"quotes\" & <b>tags</b> \u{202E}rtl")
                    #expect((artifact["metadata"] as? [String: String])?["x'; --"] == "<img src=x onerror=alert(1)>")
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                }
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)/files/page.html", method: .put, headers: f.headers(.member, [.contentType: "text/html"]),
                    body: ByteBuffer(bytes: html)
                ) { #expect($0.status == .created) }
                try await client.execute(uri: "/api/v1/artifacts/\(id)/files/page.html", method: .get, headers: f.headers(.member)) {
                    response async throws in
                    #expect(Array(response.body.readableBytesView) == html)
                    #expect(response.headers[.contentDisposition]?.hasPrefix("attachment") == true)
                    #expect(response.headers[.xContentTypeOptions] == "nosniff")
                    #expect(response.headers[.contentSecurityPolicy]?.contains("sandbox") == true)
                }
            }
            #expect(try await pool.withConnection { try $0.query("SELECT count(*) AS n FROM artifacts").first?.decode("n", as: Int64.self) } ?? 0 > 0)
        }
    }

    @Test func malformedAndOversizeBodiesAreProblems() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let id = try await f.draft(slug: "bodies")
            try await f.app(maxBodyBytes: 2048).test(.router) { client async throws in
                let cases: [(String, ByteBuffer, HTTPResponse.Status, String)] = [
                    ("unknown field", try F.body(["titel": "typo"]), .unprocessableContent, "titel"),
                    ("wrong type", try F.body(["title": 42]), .unprocessableContent, "title"),
                    ("not JSON", ByteBuffer(string: "{title:"), .badRequest, "malformed-json"),
                    (
                        "invalid UTF-8", ByteBuffer(bytes: [0x7B, 0x22, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D]), .badRequest,
                        "malformed-json"
                    ),
                    ("too long", try F.body(["title": String(repeating: "x", count: 301)]), .unprocessableContent, "title"),
                    ("oversize body", try F.body(["description": String(repeating: "x", count: 5000)]), .contentTooLarge, "problem"),
                    ("bad license", try F.body(["license": "not a license!"]), .unprocessableContent, "license"),
                ]
                for (name, body, status, needle) in cases {
                    try await client.execute(uri: "/api/v1/artifacts/\(id)", method: .patch, headers: f.headers(.creator), body: body) {
                        response async throws in
                        #expect(response.status == status, "\(name)")
                        #expect(response.headers[.contentType] == "application/problem+json", "\(name)")
                        #expect(String(buffer: response.body).contains(needle), "\(name)")
                    }
                }
                // A license can be cleared with null, and an absent key leaves it alone.
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)", method: .patch, headers: f.headers(.creator), body: try F.body(["license": "MIT"])
                ) { response async throws in
                    #expect(try F.json(response.body)["license"] as? String == "MIT")
                }
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)", method: .patch, headers: f.headers(.creator), body: try F.body(["title": "T2"])
                ) { response async throws in
                    #expect(try F.json(response.body)["license"] as? String == "MIT")
                }
                try await client.execute(
                    uri: "/api/v1/artifacts/\(id)", method: .patch, headers: f.headers(.creator), body: ByteBuffer(string: #"{"license": null}"#)
                ) { response async throws in #expect(try F.json(response.body)["license"] == nil) }
            }
        }
    }

    @Test func aRetriedRegistrationWithTheSameIdempotencyKeyRegistersOnce() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let body = try F.body(["working_group": f.group.slug.rawValue, "kind": "dataset", "slug": "retried", "title": "Retried"])
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "register-retried-1"]
            try await f.app().test(.router) { client async throws in
                // Concurrent retries of one request, as a client with a short timeout would send them.
                let responses = try await withThrowingTaskGroup(of: (HTTPResponse.Status, String?).self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            try await client.execute(uri: "/api/v1/artifacts", method: .post, headers: f.headers(.creator, key), body: body) {
                                response async throws in
                                (response.status, response.status == .created ? try F.json(response.body)["id"] as? String : nil)
                            }
                        }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                // The first creates it; the others wait for it at the key and replay it.
                #expect(responses.allSatisfy { $0.0 == .created })
                #expect(responses.compactMap(\.1).count == 4)
                #expect(Set(responses.compactMap(\.1)).count == 1)
                let replay = try await client.execute(uri: "/api/v1/artifacts", method: .post, headers: f.headers(.creator, key), body: body) {
                    response async throws in
                    #expect(response.status == .created)
                    #expect(response.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
                    return try F.json(response.body)["id"] as? String
                }
                #expect(replay == responses.compactMap(\.1).first)
                // The same key with another body is refused rather than silently answered with the first artifact.
                try await client.execute(
                    uri: "/api/v1/artifacts", method: .post, headers: f.headers(.creator, key),
                    body: try F.body(["working_group": f.group.slug.rawValue, "kind": "dataset", "slug": "other", "title": "Other"])
                ) { #expect($0.status == .unprocessableContent) }
            }
            let count = try await pool.withConnection { connection in
                try connection.query("SELECT count(*) AS n FROM artifacts WHERE slug IN ('retried', 'other')").first?.decode("n", as: Int64.self)
            }
            #expect(count == 1)
        }
    }
}
