import Foundation
public import Logging
import Synchronization

/// Delivers PostgreSQL NOTIFY messages for some channels as an `AsyncStream`, on a dedicated
/// connection and thread (waiting on a socket must not hold a pool connection or a pool thread).
///
/// ```swift
/// for await note in NotificationListener(configuration: config, channels: ["runs_queued"]).notifications() { … }
/// ```
/// If the connection breaks it reconnects with backoff and listens again; notifications sent while
/// it was down are lost, as PostgreSQL does not queue them, so callers should also poll occasionally.
public struct NotificationListener: Sendable {
    /// The connection settings.
    public let configuration: DatabaseConfiguration
    /// The channels to LISTEN on.
    public let channels: [String]
    let logger: Logger

    /// Creates a listener; nothing connects until `notifications()` is iterated.
    public init(configuration: DatabaseConfiguration, channels: [String], logger: Logger = Logger(label: "consortium.listener")) {
        self.configuration = configuration
        self.channels = channels
        self.logger = logger
    }

    /// Starts listening. The stream ends when the consumer stops iterating (the thread then exits).
    ///
    /// - Parameters:
    ///   - ready: called once the first LISTEN has been acknowledged, so a caller can NOTIFY safely.
    ///   - listening: called with true each time LISTEN is acknowledged on a new connection and with false each time the
    ///     connection is lost, for callers that must know when notifications may have been missed.
    ///   - received: called on the listener's own thread with each notification as it arrives, before the stream gets
    ///     it, for callers that must act without waiting for a turn on the shared executor.
    public func notifications(
        ready: (@Sendable () -> Void)? = nil, listening: (@Sendable (Bool) -> Void)? = nil,
        received: (@Sendable (DatabaseNotification) -> Void)? = nil
    ) -> AsyncStream<DatabaseNotification> {
        let (stream, continuation) = AsyncStream<DatabaseNotification>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        let flag = StopFlag()
        continuation.onTermination = { _ in flag.stop() }
        let listener = self
        let thread = Thread {
            listener.run(continuation: continuation, stop: flag, ready: ready, listening: listening, received: received)
        }
        thread.name = "consortium.listener"
        thread.start()
        return stream
    }

    private func run(
        continuation: AsyncStream<DatabaseNotification>.Continuation, stop: StopFlag, ready: (@Sendable () -> Void)?,
        listening: (@Sendable (Bool) -> Void)?, received: (@Sendable (DatabaseNotification) -> Void)?
    ) {
        var backoff = 0.1
        var announced = false
        while !stop.isStopped {
            do {
                let connection = try Connection.connect(self.configuration.connectionString, describedAs: self.configuration.displayName)
                defer { connection.close() }
                for channel in self.channels {
                    try connection.executeScript("LISTEN \(try connection.escapeIdentifier(channel))")
                }
                listening?(true)
                defer { listening?(false) }
                if !announced {
                    announced = true
                    ready?()
                }
                backoff = 0.1
                while !stop.isStopped {
                    for notification in try connection.waitForNotifications(timeout: 0.25) {
                        received?(notification)
                        continuation.yield(notification)
                    }
                }
            } catch {
                self.logger.warning("notification listener lost its connection; reconnecting", metadata: ["error": "\(error)"])
                Thread.sleep(forTimeInterval: backoff)
                backoff = min(backoff * 2, 5)
            }
        }
        continuation.finish()
    }
}

/// A stop signal shared between the stream's termination handler and the listener thread.
private final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func stop() { self.flag.store(true, ordering: .releasing) }
    var isStopped: Bool { self.flag.load(ordering: .acquiring) }
}
