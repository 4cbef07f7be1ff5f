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

/// `serve --read-database-url`: GET and HEAD read from the replica, everything else (and the bookkeeping a GET does,
/// token and session use) goes to the primary. The "replica" here is the same database through connections that
/// refuse every write (`default_transaction_read_only`), as a real standby would: a write routed there fails loudly.
/// Ops/scripts/test-replica.sh does the same against a real streaming replica.
@Suite struct ReplicaReadTests {
    @Test func readsGoToTheReplicaAndEveryWriteToThePrimary() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await ArtifactFixture.make(pool)
            let readOnly = DatabasePool(
                configuration: DatabaseConfiguration(
                    connectionString: pool.configuration.connectionString + " options='-c default_transaction_read_only=on'", maxConnections: 2))
            defer { readOnly.shutdown() }
            let store = Store(pool: pool, replica: readOnly)
            let app = try await buildApplication(configuration: f.configuration(), store: store, logger: Logger(label: "test"))
            let slug = f.group.slug.rawValue
            try await app.test(.router) { client async throws in
                // Anonymous and authenticated reads; the token's last use is recorded on the primary during a GET.
                for uri in ["/api/v1/working-groups", "/api/v1/working-groups/\(slug)", "/api/v1/artifacts", "/api/v1/runs", "/", "/groups/\(slug)"] {
                    try await client.execute(uri: uri, method: .get) { #expect($0.status == .ok, "\(uri)") }
                    try await client.execute(uri: uri, method: .get, headers: f.headers(.admin)) { #expect($0.status == .ok, "\(uri) as admin") }
                }
                #expect(readOnly.statistics.open >= 1)
                let used: Date? = try await pool.query(
                    "SELECT max(last_used_at) AS at FROM api_tokens WHERE member_id = \(try #require(f.members[.admin]).id)"
                ).first?.decode("at")
                #expect(used != nil)

                // A write goes to the primary even though the replica is there (it would be refused on the replica).
                try await client.execute(
                    uri: "/api/v1/tokens", method: .post, headers: f.headers(.admin, [.contentType: "application/json"]),
                    body: try ArtifactFixture.body(["name": "written-beside-a-replica"])
                ) { response in
                    #expect(response.status == .created, "\(String(buffer: response.body))")
                }
                let stored: Int64? = try await pool.query("SELECT count(*) AS n FROM api_tokens WHERE name = 'written-beside-a-replica'").first?
                    .decode("n")
                #expect(stored == 1)
                // And readiness is the primary's.
                try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            }
        }
    }
}
