import Hummingbird

/// After any request that may write (every method but GET, HEAD and OPTIONS, answered or refused), forgets what the
/// public-response cache kept, before the client sees the answer: a client that reads right after its own write
/// through this server sees it, without waiting for the database's announcement.
struct CacheInvalidationMiddleware<Context: RequestContext>: RouterMiddleware {
    let cache: PublicResponseCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head, request.method != .options else { return try await next(request, context) }
        defer { self.cache.invalidate() }
        return try await next(request, context)
    }
}
