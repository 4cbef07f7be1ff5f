import HTTPTypes
import Hummingbird
import Store

/// Resolves the browser session cookie to an identity. Pages get it for every method; the API only for GET and HEAD
/// (a signed-in reader can download a draft's files from its page), because API writes carry no CSRF token.
/// An unknown or expired cookie is simply anonymous: the browser is shown the signed-out pages.
struct SessionMiddleware: RouterMiddleware {
    static let cookie = "consortium_session"
    /// The name over TLS: the `__Host-` prefix makes browsers refuse it from a subdomain or over plain HTTP.
    static let secureCookie = "__Host-consortium_session"
    let sessions: SessionStore

    func handle(_ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response) async throws -> Response
    {
        guard context.identity == nil, let secret = Self.secret(request),
            !Self.isAPI(request.uri.path) || request.method == .get || request.method == .head,
            let session = try await self.sessions.session(secret)
        else { return try await next(request, context) }
        var context = context
        context.identity = session.identity
        context.csrfToken = session.csrfToken
        return try await next(request, context)
    }

    /// The cookie's name for this request: over TLS only the `__Host-` one counts, so a cookie planted by a subdomain
    /// or over plain HTTP cannot sign a browser in to someone else's session.
    static func cookieName(_ request: Request) -> String { request.isTLS ? Self.secureCookie : Self.cookie }

    /// The session secret the browser sent.
    static func secret(_ request: Request) -> String? { request.cookies[Self.cookieName(request)]?.value }

    /// Whether a path reaches the API: judged on its segments as the router splits them, so `//api/…` counts too.
    static func isAPI(_ path: String) -> Bool {
        path.split(separator: "/", omittingEmptySubsequences: true).first == "api"
    }
}

extension Request {
    /// Whether the browser reached us over TLS (nginx says so in `X-Forwarded-Proto`).
    var isTLS: Bool { self.headers[HTTPField.Name("X-Forwarded-Proto")!] == "https" }
}
