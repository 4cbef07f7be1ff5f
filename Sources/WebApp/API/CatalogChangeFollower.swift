import Database
import Logging
import ServiceLifecycle

/// Keeps a server's `PublicResponseCache` honest: listens for the database's `catalog_changed` announcements on a
/// connection of its own and forgets what the cache kept on each; runs beside the HTTP server until shutdown.
struct CatalogChangeFollower: Service {
    /// The channel migration 0012's triggers notify.
    static let channel = "catalog_changed"

    let cache: PublicResponseCache
    let database: DatabaseConfiguration
    let logger: Logger

    func run() async throws {
        let cache = self.cache
        let listener = NotificationListener(configuration: self.database, channels: [Self.channel], logger: self.logger)
        // Forgetting happens on the listener's thread as each announcement arrives (a busy executor must not stretch the
        // time stale answers are served); the stream is only drained. Ending the iteration (graceful shutdown cancels
        // it) ends the stream, which stops the listener's thread.
        let stream = listener.notifications(listening: { cache.following($0) }, received: { _ in cache.invalidate() })
        for await _ in stream.cancelOnGracefulShutdown() {}
        cache.following(false)
    }
}
