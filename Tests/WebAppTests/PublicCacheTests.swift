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

@testable import WebApp

/// Public API reads kept in memory (`serve --api-cache-seconds`): served again with an `Age` header until the data
/// behind them changes, whoever changes it, and never across audiences. Changes made with the triggers switched off
/// are invisible to the cache by design; the tests use them to tell "kept" from "read again".
@Suite struct PublicCacheTests {
    typealias F = ArtifactFixture

    /// Changes the group's charter without announcing it (migration 0012's trigger off for this one statement).
    static func quietlySetCharter(_ charter: String, slug: String, on pool: DatabasePool) async throws {
        try await pool.withTransaction { connection in
            try connection.executeScript("ALTER TABLE working_groups DISABLE TRIGGER working_groups_catalog_changed")
            _ = try connection.query("UPDATE working_groups SET charter = \(charter) WHERE slug = \(slug)")
            try connection.executeScript("ALTER TABLE working_groups ENABLE TRIGGER working_groups_catalog_changed")
        }
    }

    static func charter(_ client: some TestClientProtocol, _ uri: String) async throws -> (charter: String?, age: String?) {
        try await client.execute(uri: uri, method: .get) { response in
            #expect(response.status == .ok)
            return (try F.json(response.body)["charter"] as? String, response.headers[.age])
        }
    }

    /// Asks until `done` holds, for at most `attempts` × 100 ms; false if it never did.
    static func eventually(attempts: Int = 300, _ done: () async throws -> Bool) async throws -> Bool {
        for _ in 0..<attempts {
            if try await done() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func app(_ f: F, seconds: Int) async throws -> some ApplicationProtocol {
        var configuration = f.configuration()
        configuration.publicCacheSeconds = seconds
        return try await buildApplication(configuration: configuration, store: f.store, logger: Logger(label: "test"))
    }

    @Test func keptUntilAnyoneChangesTheDataAndAWriteHereIsSeenAtOnce() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let slug = f.group.slug.rawValue
            let uri = "/api/v1/working-groups/\(slug)"
            try await self.app(f, seconds: 3600).test(.live) { client async throws in
                // Kept once the server follows the database's announcements.
                #expect(try await Self.eventually { try await Self.charter(client, uri).age != nil })
                let kept = try await Self.charter(client, uri)

                // An unannounced change is not seen: the answer is the kept one.
                try await Self.quietlySetCharter("changed quietly", slug: slug, on: pool)
                let stale = try await Self.charter(client, uri)
                #expect(stale.charter == kept.charter)
                #expect(stale.age != nil)
                // The kept answer still honours If-None-Match.
                let etag = try await client.execute(uri: uri, method: .get) { try #require($0.headers[.eTag]) }
                try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: etag]) { #expect($0.status == .notModified) }

                // A refused write wrote nothing and forgets nothing: anonymous POSTs cannot empty the cache.
                try await client.execute(uri: "/api/v1/artifacts", method: .post, body: try F.body(["working_group": slug])) {
                    #expect($0.status == .unauthorized)
                }
                #expect(try await Self.charter(client, uri).charter == kept.charter)

                // A change made elsewhere (another server, the CLI, psql) is announced and forgets what was kept.
                _ = try await pool.query("UPDATE working_groups SET charter = 'changed elsewhere' WHERE slug = \(slug)")
                #expect(try await Self.eventually { try await Self.charter(client, uri).charter == "changed elsewhere" })

                // A write through this server is seen by the very next read, with no wait for the announcement (which is
                // switched off here, so that only the server's own forgetting can make the read fresh).
                try await pool.withConnection { try $0.executeScript("ALTER TABLE artifacts DISABLE TRIGGER artifacts_catalog_changed") }
                let artifacts = try await client.execute(uri: uri, method: .get) { try F.json($0.body)["artifact_count"] as? Int }
                let register = try F.body([
                    "working_group": slug, "kind": "dataset", "slug": "kept-or-not", "version": "1", "title": "Kept or not",
                    "license": "CC-BY-4.0",
                ])
                try await client.execute(uri: "/api/v1/artifacts", method: .post, headers: f.headers(.creator), body: register) {
                    #expect($0.status == .created)
                }
                let after = try await client.execute(uri: uri, method: .get) { try F.json($0.body)["artifact_count"] as? Int }
                #expect(after == artifacts.map { $0 + 1 })
                try await pool.withConnection { try $0.executeScript("ALTER TABLE artifacts ENABLE TRIGGER artifacts_catalog_changed") }

                // Errors are not kept: asked twice, an unknown group is looked up twice.
                for _ in 0..<2 {
                    try await client.execute(uri: "/api/v1/working-groups/not-yet", method: .get) { response in
                        #expect(response.status == .notFound)
                        #expect(response.headers[.age] == nil)
                    }
                }
            }
        }
    }

    @Test func signedInAndAnonymousCallersNeverShareAnEntry() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            try await self.app(f, seconds: 3600).test(.live) { client async throws in
                let uri = "/api/v1/members?limit=200"
                // Signed-in callers see e-mail addresses; keep their answer first.
                #expect(
                    try await Self.eventually {
                        try await client.execute(uri: uri, method: .get, headers: f.headers(.reader)) { $0.headers[.age] != nil }
                    })
                let emails = try await client.execute(uri: uri, method: .get, headers: f.headers(.reader)) { response in
                    ((try F.json(response.body)["items"] as? [[String: Any]]) ?? []).compactMap { $0["email"] as? String }
                }
                #expect(!emails.isEmpty)
                // Anonymous callers get their own answer, kept apart, with no address in it.
                for _ in 0..<3 {
                    try await client.execute(uri: uri, method: .get) { response in
                        let items = (try F.json(response.body)["items"] as? [[String: Any]]) ?? []
                        #expect(!items.isEmpty)
                        #expect(items.allSatisfy { $0["email"] == nil })
                    }
                }
            }
        }
    }

    @Test func nothingKeptOutlivesItsAgeOrALostListener() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            let slug = f.group.slug.rawValue
            let uri = "/api/v1/working-groups/\(slug)"
            // An entry older than its age is read again, even when no change was announced.
            try await self.app(f, seconds: 1).test(.live) { client async throws in
                #expect(try await Self.eventually { try await Self.charter(client, uri).age != nil })
                try await Self.quietlySetCharter("read again after a second", slug: slug, on: pool)
                #expect(try await Self.eventually { try await Self.charter(client, uri).charter == "read again after a second" })
            }
            // A listener that loses its connection may have missed announcements: what was kept is forgotten.
            try await self.app(f, seconds: 3600).test(.live) { client async throws in
                #expect(try await Self.eventually { try await Self.charter(client, uri).age != nil })
                try await Self.quietlySetCharter("seen after the listener came back", slug: slug, on: pool)
                _ = try await pool.query(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'")
                #expect(try await Self.eventually { try await Self.charter(client, uri).charter == "seen after the listener came back" })
            }
        }
    }

    @Test func keptReadsComeFromThePrimaryEvenBesideAReplica() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await F.make(pool)
            defer { f.removeData() }
            // A "replica" no query can reach: reads that go there fail, reads kept in memory must not go there.
            let unreachable = DatabasePool(
                configuration: DatabaseConfiguration(
                    connectionString: pool.configuration.connectionString + " dbname=no_such_replica_database", maxConnections: 1))
            defer { unreachable.shutdown() }
            var configuration = f.configuration()
            configuration.publicCacheSeconds = 3600
            let app = try await buildApplication(
                configuration: configuration, store: Store(pool: pool, replica: unreachable), logger: Logger(label: "test"))
            try await app.test(.live) { client async throws in
                let uri = "/api/v1/working-groups/\(f.group.slug.rawValue)"
                // Until the server follows the announcements nothing is kept, and the read goes to the replica and fails.
                let kept = try await Self.eventually {
                    try await client.execute(uri: uri, method: .get) { $0.status == .ok && $0.headers[.age] != nil }
                }
                #expect(kept)
                // A read that is not kept still goes to the replica (and fails there).
                try await client.execute(uri: "/api/v1/artifacts", method: .get) { #expect($0.status == .serviceUnavailable) }
            }
        }
    }

    @Test func aReadThatRacedAChangeIsNotKept() throws {
        let cache = PublicResponseCache(maxAge: .seconds(60))
        let entry = PublicResponseCache.Entry(body: ByteBuffer(string: "{}"), etag: "\"e\"", headers: [:], storedAt: .now)
        // Nothing is kept before the server follows the announcements.
        #expect(cache.lookup("k").ticket == nil)
        cache.following(true)
        let raced = try #require(cache.lookup("k").ticket)
        cache.invalidate()
        cache.store(entry, for: "k", ticket: raced)
        #expect(cache.lookup("k").entry == nil)
        let fresh = try #require(cache.lookup("k").ticket)
        cache.store(entry, for: "k", ticket: fresh)
        #expect(cache.lookup("k").entry?.etag == "\"e\"")
        cache.following(false)
        #expect(cache.lookup("k").entry == nil)
    }

    @Test func keptBytesStayWithinTheBound() throws {
        let cache = PublicResponseCache(maxAge: .seconds(60), maxBytes: 4096)
        cache.following(true)
        for i in 0..<100 {
            let key = "k\(i)"
            let ticket = try #require(cache.lookup(key).ticket)
            cache.store(
                .init(body: ByteBuffer(repeating: 0x20, count: 500), etag: "\"\(i)\"", headers: [:], storedAt: .now), for: key, ticket: ticket)
            #expect(cache.count * 500 <= 4096)
        }
        // A scanner of query strings with tiny answers meets the entry cap, not the byte bound.
        let capped = PublicResponseCache(maxAge: .seconds(60), maxEntries: 10)
        capped.following(true)
        for i in 0..<50 {
            let ticket = try #require(capped.lookup("q\(i)").ticket)
            capped.store(.init(body: ByteBuffer(string: "{}"), etag: "\"\(i)\"", headers: [:], storedAt: .now), for: "q\(i)", ticket: ticket)
            #expect(capped.count <= 10)
        }
        // Too large for the bound: never kept.
        let ticket = try #require(cache.lookup("big").ticket)
        cache.store(.init(body: ByteBuffer(repeating: 0x20, count: 2048), etag: "\"big\"", headers: [:], storedAt: .now), for: "big", ticket: ticket)
        #expect(cache.lookup("big").entry == nil)
    }
}
