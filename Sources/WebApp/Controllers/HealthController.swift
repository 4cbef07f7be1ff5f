import Database
import Foundation
import Hummingbird
import Logging
import Store

/// `/healthz` (the process answers) and `/readyz` (the primary database, and the read replica when there is one, answer
/// and have the current schema).
struct HealthController: Sendable {
    let store: Store
    let schemaDirectory: URL

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
        }
        router.get("/readyz") { _, context in try await self.ready(logger: context.logger) }
    }

    private func ready(logger: Logger) async throws -> Response {
        do {
            let migrations = self.schemaDirectory.appendingPathComponent("migrations")
            try await Migrator(pool: self.store.primary, directory: migrations).requireCurrent()
            // With a replica, every GET depends on it: a server whose replica is away or behind cannot serve its traffic.
            if let replica = self.store.replica { try await Migrator(pool: replica, directory: migrations).requireCurrent() }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        } catch {
            logger.warning("not ready", metadata: ["error": "\(error)"])
            throw Problem(
                status: .serviceUnavailable, type: "not-ready", title: "Not ready", detail: Self.reason(error),
                headers: [.retryAfter: ProblemMiddleware<AppRequestContext>.databaseRetrySeconds])
        }
    }

    /// What a caller is told: the schema's state (what an operator must act on), never a connection error's text, which
    /// names hosts and users; that stays in the log.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? DatabaseError, error.kind == .migration { return error.description }
        return "The database is not reachable."
    }
}
