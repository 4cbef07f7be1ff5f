import Hummingbird
import Store

/// Resolves the browser session cookie to an identity. Pages get it for every method; the API only for GET and HEAD
/// (a signed-in reader can download a draft's files from its page), because API writes carry no CSRF token.
/// An unknown or expired cookie is simply anonymous: the browser is shown the signed-out pages.
struct SessionMiddleware: RouterMiddleware {
    static let cookie = "consortium_session"
    let sessions: SessionStore

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response
    {
        guard context.identity == nil, let secret = request.cookies[Self.cookie]?.value,
            !request.uri.path.hasPrefix("/api/") || request.method == .get || request.method == .head,
            let session = try await self.sessions.session(secret)
        else { return try await next(request, context) }
        var context = context
        context.identity = session.identity
        context.csrfToken = session.csrfToken
        return try await next(request, context)
    }
}
