import Database
import Foundation
import HTTPTypes
import Hummingbird
import Store

/// Signing in and out with an e-mail address and password.
///
/// Before there is a session the form is protected by a double-submit token: a random value in a SameSite cookie and
/// in the form, which another site can neither read nor set.
struct SignInController: Sendable {
    static let csrfCookie = "consortium_csrf"
    let store: Store
    let views: Views

    struct SignInPage: Sendable {
        let chrome: Chrome
        let csrf: String
        let email: String
        let next: String
        let error: String?
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/sign-in") { request, context in
            await self.form(request, context: context, next: request.text("next", maxLength: 500), email: "", error: nil, status: .ok)
        }
        router.post("/sign-in") { request, context in try await self.signIn(request, context: context) }
        router.post("/sign-out") { request, context in try await self.signOut(request, context: context) }
    }

    private func form(
        _ request: Request, context: AppRequestContext, next: String?, email: String, error: String?, status: HTTPResponse.Status
    ) async -> Response {
        let token = request.cookies[Self.csrfCookieName(request)]?.value.filter { $0.isLetter || $0.isNumber } ?? ""
        let csrf = token.count >= 20 ? token : SecureRandom.token(bits: 128)
        let page = SignInPage(
            chrome: PageViewer(context).chrome("Sign in", .signIn), csrf: csrf, email: email, next: Self.safeNext(next),
            error: error)
        var response = Response(
            status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: await self.views.render(page, template: "sign-in").body)))
        response.setCookie(Self.cookie(Self.csrfCookieName(request), csrf, maxAge: 3600, request: request))
        return response
    }

    private func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = try await PageForm.read(request)
        guard let cookie = request.cookies[Self.csrfCookieName(request)]?.value, PageForm.constantTimeEqual(form.raw("csrf"), cookie) else {
            throw PageForm.forged
        }
        let next = form["next"]
        let email = String(form["email"].prefix(320))
        guard !email.isEmpty, !form.raw("password").isEmpty else {
            return await self.form(
                request, context: context, next: next, email: email, error: "Enter your e-mail address and password.", status: .unprocessableContent)
        }
        switch try await self.store.sessions.signIn(email: email, password: form.raw("password"), client: context.clientAddress(request)) {
        case .signedIn(let secret, _):
            var response = Response(status: .seeOther, headers: [.location: Self.safeNext(form["next"])])
            response.setCookie(Self.cookie(SessionMiddleware.cookieName(request), secret, maxAge: Int(SessionStore.lifetime), request: request))
            response.setCookie(Self.cookie(Self.csrfCookieName(request), "", maxAge: 0, request: request))
            return response
        case .refused:
            return await self.form(
                request, context: context, next: next, email: email, error: "That e-mail address and password do not match.", status: .unauthorized)
        case .throttled(let seconds):
            var response = await self.form(
                request, context: context, next: next, email: email,
                error: "Too many failed attempts. Try again in \(max(1, (seconds + 59) / 60)) minutes.", status: .tooManyRequests)
            response.headers[.retryAfter] = String(seconds)
            return response
        case .busy:
            var response = await self.form(
                request, context: context, next: next, email: email, error: "Too many people are signing in right now. Try again in a moment.",
                status: .serviceUnavailable)
            response.headers[.retryAfter] = "1"
            return response
        }
    }

    private func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        _ = try await PageForm.signedIn(request, context: context)
        if let secret = SessionMiddleware.secret(request) { try await self.store.sessions.signOut(secret) }
        var response = Response(status: .seeOther, headers: [.location: "/"])
        response.setCookie(Self.cookie(SessionMiddleware.cookieName(request), "", maxAge: 0, request: request))
        return response
    }

    /// Where to go after signing in: a path on this site only (never `//other.site` or `https://…`, an open redirect).
    static func safeNext(_ next: String?) -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"), !next.hasPrefix("/\\"), next.utf8.count <= 500,
            !next.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return "/" }
        return next
    }

    /// The sign-in token's cookie name: `__Host-` over TLS, as the session's.
    static func csrfCookieName(_ request: Request) -> String { request.isTLS ? "__Host-" + Self.csrfCookie : Self.csrfCookie }

    /// HttpOnly and SameSite=Lax always; Secure over TLS.
    static func cookie(_ name: String, _ value: String, maxAge: Int, request: Request) -> Cookie {
        Cookie(name: name, value: value, maxAge: maxAge, path: "/", secure: request.isTLS, httpOnly: true, sameSite: .lax)
    }
}
