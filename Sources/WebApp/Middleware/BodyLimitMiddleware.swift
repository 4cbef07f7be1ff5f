import Hummingbird

/// Sets the request body limit from the configuration, so every route that collects or decodes a body honours it.
struct BodyLimitMiddleware: RouterMiddleware {
    let maxBodyBytes: Int

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response
    {
        var context = context
        context.maxBodyBytes = self.maxBodyBytes
        return try await next(request, context)
    }
}
