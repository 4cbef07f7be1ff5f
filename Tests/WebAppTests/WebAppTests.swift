import Database
import DatabaseTestSupport
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Store
import Testing
import WebApp

@Suite struct WebAppTests {
    private var configuration: WebConfiguration {
        WebConfiguration(
            webDirectory: TestDatabase.repositoryRoot.appendingPathComponent("Web"),
            schemaDirectory: TestDatabase.repositoryRoot.appendingPathComponent("Schema"))
    }

    private func text(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

    // MARK: Tests

    @Test func landingPageShowsTheSeededConsortium() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            try await DemoSeeder(pool: pool).seed(try DemoConsortium())
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                    let body = text(response.body)
                    #expect(body.contains("<strong>600</strong> members"))
                    #expect(body.contains("<strong>250</strong> institutions"))
                    #expect(body.contains("<strong>50</strong> countries"))
                    #expect(body.contains("Architecture &amp; Scaling"))
                    #expect(body.contains(#"id="group-multilinguality""#))
                    #expect(body.contains("chairs: "))
                }
                try await client.execute(uri: "/static/app.css", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(text(response.body).contains(".cards"))
                }
            }
        }
    }

    @Test func anEmptyConsortiumSaysHowToSeedIt() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/", method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(text(response.body).contains("consortium seed --demo"))
                }
            }
        }
    }

    @Test func healthAndReadiness() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
                try await client.execute(uri: "/readyz", method: .get) { #expect($0.status == .ok) }
            }
        }
        try await TestDatabase.withEmpty { pool async throws in
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/readyz", method: .get) { response in
                    #expect(response.status == .serviceUnavailable)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    #expect(text(response.body).contains("consortium migrate"))
                }
            }
        }
    }

    @Test func unknownPathsAreProblemDocuments() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: Logger(label: "test"))
            try await app.test(.router) { client async throws in
                try await client.execute(uri: "/no/such/page", method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/problem+json")
                    let problem = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                    #expect(problem?["status"] as? Int == 404)
                    #expect(problem?["type"] as? String == "/problems/not-found")
                }
                try await client.execute(uri: "/static/../Package.swift", method: .get) { response in
                    #expect(response.status == .notFound || response.status == .badRequest)
                }
            }
        }
    }

    @Test func aDatabaseThatIsDownIsA503NotA500() async throws {
        let pool = DatabasePool(configuration: DatabaseConfiguration(connectionString: "host=/nonexistent dbname=x connect_timeout=1"))
        defer { pool.shutdown() }
        let app = try await buildApplication(configuration: configuration, store: Store(pool: pool), logger: Logger(label: "test"))
        try await app.test(.router) { client async throws in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(text(response.body).contains("database"))
            }
        }
    }

    @Test func aMissingTemplatesFolderStopsStartUp() async throws {
        let pool = DatabasePool(configuration: DatabaseConfiguration(connectionString: "host=/nonexistent"))
        defer { pool.shutdown() }
        var broken = configuration
        broken.webDirectory = URL(fileURLWithPath: "/nonexistent/Web")
        await #expect(throws: WebAppError.self) {
            _ = try await buildApplication(configuration: broken, store: Store(pool: pool), logger: Logger(label: "test"))
        }
    }
}
