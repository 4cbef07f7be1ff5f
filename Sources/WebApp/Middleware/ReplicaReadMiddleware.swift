import Hummingbird
import Store

/// Sends the queries of GET and HEAD requests to the read replica (when the server has one): they are most of the
/// traffic and need no primary. Placed after the middleware that records token and session use, which writes.
///
/// A replica lags the primary by its replication delay, so a client that reads right after its own write may see the
/// old state; ETags and `If-Match` still guard every write, which goes to the primary.
struct ReplicaReadMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .get || request.method == .head else { return try await next(request, context) }
        return try await Store.$readingFromReplica.withValue(true) { try await next(request, context) }
    }
}
