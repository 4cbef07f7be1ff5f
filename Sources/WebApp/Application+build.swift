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
    let views = try await Views(webDirectory: configuration.webDirectory)
    let router = Router(context: BasicRequestContext.self)
    router.addMiddleware {
        LogRequestsMiddleware(.debug)
        ProblemMiddleware()
        FileMiddleware(configuration.webDirectory.appendingPathComponent("static").path, urlBasePath: "/static", logger: logger)
    }
    HealthController(store: store, schemaDirectory: configuration.schemaDirectory).addRoutes(to: router)
    LandingController(store: store, views: views).addRoutes(to: router)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "consortium"),
        logger: logger)
}
