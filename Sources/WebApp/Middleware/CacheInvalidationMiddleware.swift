import Hummingbird

/// After a request that may have written (every method but GET, HEAD and OPTIONS), forgets what the public-response
/// cache kept, before the client sees the answer: a client that reads right after its own write through this server
/// sees it, without waiting for the database's announcement. A refusal (4xx) wrote nothing, so it forgets nothing:
/// otherwise anyone could empty the cache with a stream of unauthenticated POSTs.
struct CacheInvalidationMiddleware<Context: RequestContext>: RouterMiddleware {
    let cache: PublicResponseCache

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head, request.method != .options else { return try await next(request, context) }
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // Problems and Hummingbird's own errors say their status; anything else may have come after a write.
            let status = (error as? Problem)?.status ?? (error as? any HTTPResponseError)?.status
            if !(status.map { (400..<500).contains($0.code) } ?? false) { self.cache.invalidate() }
            throw error
        }
        if !(400..<500).contains(response.status.code) { self.cache.invalidate() }
        return response
    }
}
