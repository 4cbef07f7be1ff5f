import Domain
import Foundation
import HTTPTypes
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

    /// The connection's peer address.
    var peerAddress: String

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.peerAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"

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
    /// The client's address, for rate-limiting sign-in: the proxy's `X-Forwarded-For` only when the connection comes
    /// from this machine (nginx on loopback), else the peer itself.
    func clientAddress(_ request: Request) -> String {
        if self.peerAddress == "127.0.0.1" || self.peerAddress == "::1",
            let forwarded = request.headers[HTTPField.Name("X-Forwarded-For")!]?.split(separator: ",").last
        {
            return String(forwarded.trimmingCharacters(in: .whitespaces).prefix(100))
        }
        return self.peerAddress
    }

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
