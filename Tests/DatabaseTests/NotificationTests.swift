import Database
import DatabaseTestSupport
import Foundation
import Synchronization
import Testing

@Suite struct NotificationTests {
    @Test func listenersReceiveNotificationsWithPayloads() async throws {
        try await TestDatabase.withEmpty { pool async throws in
            let listener = NotificationListener(configuration: pool.configuration, channels: ["runs_queued", "Mixed Case"])
            let (ready, readyContinuation) = AsyncStream<Void>.makeStream()
            let stream = listener.notifications(ready: { readyContinuation.yield() })
            var readyIterator = ready.makeAsyncIterator()
            await readyIterator.next()

            try await pool.query("SELECT pg_notify(\("runs_queued"), \("run 1"))")
            try await pool.query("SELECT pg_notify(\("Mixed Case"), \("ünïcode ✓"))")
            try await pool.query("SELECT pg_notify(\("other_channel"), \("ignored"))")

            var received: [DatabaseNotification] = []
            for await notification in stream {
                received.append(notification)
                if received.count == 2 { break }
            }
            #expect(received.map(\.channel) == ["runs_queued", "Mixed Case"])
            #expect(received.map(\.payload) == ["run 1", "ünïcode ✓"])
        }
    }
}
