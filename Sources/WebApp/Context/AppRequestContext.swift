import Domain
public import Hummingbird
public import Store

/// The request context of every route: Hummingbird's core plus who is calling (nil when anonymous).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, set by `AuthMiddleware` from a valid bearer token.
    public var identity: TokenStore.Identity?
    /// The signed-in browser session's anti-forgery token, which every form it submits must carry (nil without a session).
    public var csrfToken: String?

    /// Request bodies larger than this are refused with 413 (set from `WebConfiguration.maxBodyBytes`).
    public var maxBodyBytes: Int

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.csrfToken = nil
        self.maxBodyBytes = 256 * 1024
    }

    /// JSON bodies larger than this are refused with 413 before decoding.
    public var maxUploadSize: Int { self.maxBodyBytes }

    /// Decodes request bodies strictly (snake_case keys, ISO-8601 dates).
    public var requestDecoder: APIDecoder { APIDecoder() }
}

extension AppRequestContext {
    /// The caller, when signed in with a token that may write: 401 when anonymous, 403 for a read-only token.
    func requireWriter() throws -> TokenStore.Identity {
        guard let identity = self.identity else { throw Problem.unauthenticated }
        guard identity.token.scope >= .write else { throw Problem.forbidden("this token is read-only; writing needs a write-scoped token") }
        return identity
    }
}

extension TokenStore.Identity {
    /// The caller as the audit log names them.
    var actor: Actor { Actor(name: self.member.email.rawValue, memberID: self.member.id) }
}
