import Hummingbird
import Store

/// Resolves `Authorization: Bearer …` to an identity. No header means anonymous; a bad or expired token is a 401,
/// never a silent downgrade to anonymous (the caller would see confusing 403s or missing data).
struct AuthMiddleware: RouterMiddleware {
    let tokens: TokenStore

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response
    {
        guard let header = request.headers[.authorization] else { return try await next(request, context) }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw Problem.unauthenticated }
        guard let identity = try await self.tokens.authenticate(String(parts[1])) else {
            throw Problem(
                status: .unauthorized, type: "invalid-token", title: "Invalid token", detail: "The token is unknown, revoked or expired.")
        }
        var context = context
        context.identity = identity
        return try await next(request, context)
    }
}
