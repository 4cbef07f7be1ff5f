public import Hummingbird
public import Store

/// The request context of every route: Hummingbird's core plus who is calling (nil when anonymous).
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The caller, set by `AuthMiddleware` from a valid bearer token.
    public var identity: TokenStore.Identity?

    /// Request bodies larger than this are refused with 413 (set from `WebConfiguration.maxBodyBytes`).
    public var maxBodyBytes: Int

    public init(source: Source) {
        self.coreContext = .init(source: source)
        self.identity = nil
        self.maxBodyBytes = 256 * 1024
    }

    /// JSON bodies larger than this are refused with 413 before decoding.
    public var maxUploadSize: Int { self.maxBodyBytes }

    /// Decodes request bodies strictly (snake_case keys, ISO-8601 dates).
    public var requestDecoder: APIDecoder { APIDecoder() }
}
