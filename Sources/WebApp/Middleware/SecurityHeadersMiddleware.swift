import HTTPTypes
import Hummingbird

/// The usual browser hardening on every response: a Content-Security-Policy that allows only this origin's styles and
/// nothing inline (the pages need no script at all), no sniffing, no framing, no referrer leaks to other sites.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        // A handler's own, stricter policy (file downloads are sandboxed) is kept.
        for (name, value) in SecurityHeaders.fields where response.headers[name] == nil { response.headers[name] = value }
        return response
    }
}

/// The header values, kept outside the generic middleware (generic types cannot hold static stored properties).
enum SecurityHeaders {
    static let policy = [
        "default-src 'none'", "style-src 'self'", "img-src 'self' data:", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    // Valid header names written out, so the force-unwraps cannot fail.
    static let fields: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, policy), (.xContentTypeOptions, "nosniff"), (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Referrer-Policy")!, "same-origin"), (HTTPField.Name("Permissions-Policy")!, "camera=(), microphone=(), geolocation=()"),
        (HTTPField.Name("Cross-Origin-Opener-Policy")!, "same-origin"),
    ]
}
