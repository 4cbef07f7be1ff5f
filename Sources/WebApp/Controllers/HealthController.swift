import Database
import Foundation
import Hummingbird
import Logging
import Store

/// `/healthz` (the process answers) and `/readyz` (the database answers and its schema is current).
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
            try await Migrator(pool: self.store.pool, directory: self.schemaDirectory.appendingPathComponent("migrations")).requireCurrent()
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: "ready\n")))
        } catch {
            logger.warning("not ready", metadata: ["error": "\(error)"])
            throw Problem(
                status: .serviceUnavailable, type: "not-ready", title: "Not ready", detail: "\(error)",
                headers: [.retryAfter: ProblemMiddleware<AppRequestContext>.databaseRetrySeconds])
        }
    }
}
