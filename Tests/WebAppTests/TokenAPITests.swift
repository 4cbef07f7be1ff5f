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

@Suite struct TokenAPITests {
    typealias F = ArtifactFixture

    @Test func callersCreateTokensForThemselvesWithoutGainingPower() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let reader = try #require(f.members[.reader])
            // A parent token that expires in two days: children cannot outlive it.
            let shortLived = try await f.store.tokens.create(
                for: reader.email, name: "short", scope: .write, expiresAt: Date().addingTimeInterval(2 * 86_400), actor: "test"
            ).secret
            try await f.app().test(.router) { client async throws in
                let create = try F.body(["name": "notebook", "scope": "read", "expires_in_days": 30])
                try await client.execute(uri: "/api/v1/tokens", method: .post, body: create) { #expect($0.status == .unauthorized) }
                try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: f.headers(.reader), body: try F.body(["name": "more power", "scope": "write"])
                ) { #expect($0.status == .forbidden) }
                try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: f.headers(.chair), body: try F.body(["name": "not admin", "scope": "admin"])
                ) { #expect($0.status == .forbidden) }
                try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: f.headers(.reader, [HTTPField.Name("Idempotency-Key")!: "k1"]), body: create
                ) { #expect($0.status == .unprocessableContent) }
                try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: f.headers(.reader), body: try F.body(["name": "x", "expires_in_days": 0])
                ) { #expect($0.status == .unprocessableContent) }
                let secret = try await client.execute(uri: "/api/v1/tokens", method: .post, headers: f.headers(.reader), body: create) {
                    response async throws in
                    #expect(response.status == .created)
                    #expect(response.headers[.cacheControl] == "no-store")
                    let created = try F.json(response.body)
                    let token = try #require(created["token"] as? [String: Any])
                    #expect(token["scope"] as? String == "read")
                    #expect(token["name"] as? String == "notebook")
                    return try #require(created["secret"] as? String)
                }
                // The new secret works at once, and lists the caller's tokens (never a secret).
                try await client.execute(uri: "/api/v1/tokens", method: .get, headers: [.authorization: "Bearer \(secret)"]) {
                    response async throws in
                    #expect(response.status == .ok)
                    let names = (try F.json(response.body)["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
                    #expect(Set(names).isSuperset(of: ["notebook", "short", "test"]))
                    #expect(!String(buffer: response.body).contains(secret))
                }
                try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: [.authorization: "Bearer \(shortLived)"],
                    body: try F.body(["name": "child", "scope": "write", "expires_in_days": 90])
                ) { response async throws in
                    #expect(response.status == .created)
                    let token = try #require(try F.json(response.body)["token"] as? [String: Any])
                    let expires = try #require(ISO8601DateFormatter().date(from: token["expires_at"] as? String ?? ""))
                    #expect(expires <= Date().addingTimeInterval(2 * 86_400 + 60))
                }
            }
        }
    }
}
