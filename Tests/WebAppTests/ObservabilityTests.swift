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

/// Request ids, `/metrics`, and what a client is told while the database is away.
@Suite struct ObservabilityTests {
    private static let requestID = HTTPField.Name("X-Request-Id")!

    /// The value of one sample line (`name{labels} value`) in a Prometheus text exposition, nil when absent.
    static func sample(_ exposition: String, _ series: String) -> Double? {
        for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }

    @Test func aRequestIDTravelsFromTheProxyToTheHeaderAndTheProblemDocument() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await ArtifactFixture.make(pool)
            try await f.app().test(.router) { client async throws in
                try await client.execute(uri: "/api/v1/artifacts/nonexistent", method: .get, headers: [Self.requestID: "nginx-4f2a.9:1"]) {
                    response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[Self.requestID] == "nginx-4f2a.9:1")
                    let problem = try ArtifactFixture.json(response.body)
                    #expect(problem["request_id"] as? String == "nginx-4f2a.9:1")
                }
                // An id that could forge log fields is replaced by the server's own.
                try await client.execute(uri: "/api/v1/artifacts/nonexistent", method: .get, headers: [Self.requestID: "x\" level=critical"]) {
                    response in
                    let id = try #require(response.headers[Self.requestID])
                    #expect(id != "x\" level=critical")
                    #expect(!id.isEmpty && id.allSatisfy(\.isHexDigit))
                    #expect(try ArtifactFixture.json(response.body)["request_id"] as? String == id)
                }
                // Every response carries one, successes too, each different.
                var seen: Set<String> = []
                for _ in 0..<3 {
                    try await client.execute(uri: "/healthz", method: .get) { response in
                        #expect(response.status == .ok)
                        seen.insert(try #require(response.headers[Self.requestID]))
                    }
                }
                #expect(seen.count == 3)
                // A person gets the id on the error page, to quote when reporting it.
                try await client.execute(uri: "/groups/no-such-group", method: .get, headers: [.accept: "text/html", Self.requestID: "page-7"]) {
                    response in
                    #expect(response.status == .notFound)
                    #expect(String(buffer: response.body).contains("Reference: <code>page-7</code>"))
                }
            }
        }
    }

    @Test func metricsCountRequestsAndReportTheQueueRunsAndAllocationsFromTheDatabase() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let f = try await ArtifactFixture.make(pool)
            let (_, allocation) = try await f.evaluationSetUp()
            let checkpoint = try await f.draft(slug: "metrics-ckpt", file: Array("{}".utf8), publish: true)
            _ = try await f.finishedRun(checkpoint: checkpoint, acc: 0.5)
            let suite = try #require(try await f.store.evaluations.suite(slug: "nightly"))
            _ = try await f.store.runs.queue(group: f.group.id, checkpoint: checkpoint, suite: suite.id, reserve: 0.5, actor: Actor(name: "t"))
            let groupsSeries = #"consortium_http_requests_total{route="/api/v1/working-groups",method="GET",status="200"}"#
            try await f.app().test(.live) { client async throws in
                let before = try await client.execute(uri: "/metrics", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
                    return Self.sample(String(buffer: response.body), groupsSeries) ?? 0
                }
                for _ in 0..<3 { try await client.execute(uri: "/api/v1/working-groups", method: .get) { #expect($0.status == .ok) } }
                let text = try await client.execute(uri: "/metrics", method: .get) { String(buffer: $0.body) }
                // The registry is the process's, shared with the other tests running beside this one: compare increments.
                #expect((Self.sample(text, groupsSeries) ?? 0) - before >= 3)
                #expect(
                    text.contains(
                        #"consortium_http_request_duration_seconds_bucket{route="/api/v1/working-groups",method="GET",status="200",le="+Inf"}"#))
                #expect(Self.sample(text, #"consortium_runs{status="queued"}"#) == 1)
                #expect(Self.sample(text, #"consortium_runs{status="succeeded"}"#) == 1)
                #expect(Self.sample(text, #"consortium_runs{status="running"}"#) == 0)
                #expect(Self.sample(text, "consortium_runs_started_total") == 1)
                #expect(Self.sample(text, "consortium_evaluation_tokens_total") == 1234)
                // 1234 tokens in 2 seconds of task wall time.
                #expect(Self.sample(text, "consortium_evaluation_tokens_per_second") == 617)
                #expect(Self.sample(text, "consortium_database_up") == 1)
                #expect(Self.sample(text, #"consortium_db_pool_max_connections{pool="primary"}"#) == Double(pool.configuration.maxConnections))
                let used = try await pool.query(
                    "SELECT coalesce(sum(amount), 0)::float8 AS used FROM usage_records WHERE allocation_id = \(allocation.allocation.id)"
                )
                .first?.decode("used", as: Double.self)
                #expect(used ?? 0 > 0)
                let amount = NSDecimalNumber(decimal: allocation.allocation.amount).doubleValue
                let labels = #"{group="\#(f.group.slug.rawValue)",resource="\#(allocation.resource.slug.rawValue)",unit="cpu_hours"}"#
                #expect(Self.sample(text, "consortium_allocation_used\(labels)") == used)
                #expect(Self.sample(text, "consortium_allocation_amount\(labels)") == amount)
                #expect(Self.sample(text, "consortium_allocation_utilisation_ratio\(labels)") == (used ?? 0) / amount)

                // Through a proxy (X-Forwarded-For) the figures are for administrators only.
                let proxied: HTTPFields = [HTTPField.Name("X-Forwarded-For")!: "203.0.113.9"]
                try await client.execute(uri: "/metrics", method: .get, headers: proxied) { #expect($0.status == .unauthorized) }
                try await client.execute(uri: "/metrics", method: .get, headers: f.headers(.chair, proxied)) { #expect($0.status == .forbidden) }
                try await client.execute(uri: "/metrics", method: .get, headers: f.headers(.admin, proxied)) { #expect($0.status == .ok) }
            }
        }
    }

    @Test func withTheDatabaseAwayTheAPISays503RetryAfterAndMetricsStillAnswer() async throws {
        let unreachable = DatabasePool(
            configuration: DatabaseConfiguration(
                connectionString: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2", acquireTimeout: .seconds(5)))
        defer { unreachable.shutdown() }
        let configuration = WebConfiguration(
            webDirectory: TestDatabase.repositoryRoot.appendingPathComponent("Web"),
            schemaDirectory: TestDatabase.repositoryRoot.appendingPathComponent("Schema"))
        let app = try await buildApplication(configuration: configuration, store: Store(pool: unreachable), logger: Logger(label: "test"))
        try await app.test(.live) { client async throws in
            try await client.execute(uri: "/api/v1/working-groups", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "2")
                let problem = try ArtifactFixture.json(response.body)
                #expect(problem["type"] as? String == "/problems/database-unavailable")
                #expect(problem["request_id"] as? String == response.headers[Self.requestID])
            }
            try await client.execute(uri: "/readyz", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] != nil)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Self.sample(String(buffer: response.body), "consortium_database_up") == 0)
            }
        }
    }
}
