import Database
import Foundation
public import Hummingbird
public import Logging
public import Store

/// Builds the web application: routes, middleware and views, wired to `store`.
///
/// ```swift
/// let app = try await buildApplication(configuration: .init(port: 8080), store: Store(pool: pool), logger: logger)
/// try await app.runService()
/// ```
/// - Throws: `WebAppError` when the web folder or a template is missing.
public func buildApplication(configuration: WebConfiguration, store: Store, logger: Logger) async throws -> some ApplicationProtocol {
    let cache = configuration.publicCacheSeconds > 0 ? PublicResponseCache(maxAge: .seconds(configuration.publicCacheSeconds)) : nil
    let router = try await buildRouter(configuration: configuration, store: store, logger: logger, cache: cache)
    // The cache serves nothing until its follower listens for changes, and stops serving when it stops.
    let follower = cache.map { CatalogChangeFollower(cache: $0, database: store.primary.configuration, logger: logger) }
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "consortium"),
        services: follower.map { [$0] } ?? [],
        logger: logger)
}

/// Builds the router alone (pages, API, health), for the application and for tests that list its routes.
public func buildRouter(configuration: WebConfiguration, store: Store, logger: Logger) async throws -> Router<AppRequestContext> {
    try await buildRouter(configuration: configuration, store: store, logger: logger, cache: nil)
}

func buildRouter(
    configuration: WebConfiguration, store: Store, logger: Logger, cache: PublicResponseCache?
) async throws -> Router<AppRequestContext> {
    let views = try await Views(webDirectory: configuration.webDirectory)
    let router = Router(context: AppRequestContext.self)
    PrometheusExport.bootstrap()
    router.addMiddleware {
        RequestIDMiddleware()
        MetricsMiddleware()
        AccessLogMiddleware()
        SecurityHeadersMiddleware()
        ProblemMiddleware(pages: views)
        if let cache { CacheInvalidationMiddleware(cache: cache) }
        RefusedBodyMiddleware()
        BodyLimitMiddleware(maxBodyBytes: configuration.maxBodyBytes)
        FileMiddleware(configuration.webDirectory.appendingPathComponent("static").path, urlBasePath: "/static", logger: logger)
        AuthMiddleware(tokens: store.tokens)
        SessionMiddleware(sessions: store.sessions)
        ReplicaReadMiddleware()
    }
    HealthController(store: store, schemaDirectory: configuration.schemaDirectory).addRoutes(to: router)
    MetricsController(store: store).addRoutes(to: router)
    HomeController(store: store, views: views).addRoutes(to: router)
    DirectoryController(store: store, views: views).addRoutes(to: router)
    ArtifactPageController(store: store, views: views).addRoutes(to: router)
    WorkingGroupAPIController(store: store, cache: cache).addRoutes(to: router)
    AllocationAPIController(store: store).addRoutes(to: router)
    TokenAPIController(store: store).addRoutes(to: router)
    DirectoryAPIController(store: store, cache: cache).addRoutes(to: router)
    AuditAPIController(store: store).addRoutes(to: router)
    ArtifactAPIController(store: store).addRoutes(to: router)
    MembershipAPIController(store: store).addRoutes(to: router)
    EvaluationAPIController(store: store).addRoutes(to: router)
    LeaderboardAPIController(store: store).addRoutes(to: router)
    let content = try LocalContentStore(root: configuration.dataDirectory.appendingPathComponent("artifacts"))
    ArtifactFileAPIController(store: store, content: content, maxUploadBytes: configuration.maxUploadBytes).addRoutes(to: router)
    SignInController(store: store, views: views).addRoutes(to: router)
    GroupActionsController(store: store, views: views).addRoutes(to: router)
    ArtifactActionsController(store: store, views: views, content: content, maxUploadBytes: configuration.maxUploadBytes).addRoutes(to: router)
    router.get("/api/v1/openapi.yaml") { _, _ in
        let url = configuration.schemaDirectory.appendingPathComponent("openapi.yaml")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw Problem.notFound("the OpenAPI document is missing") }
        return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
    return router
}
