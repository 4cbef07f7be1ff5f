public import Logging
import NIOPosix
import Synchronization

/// A bounded pool of PostgreSQL connections whose blocking libpq calls run on a thread pool,
/// never on Swift's cooperative pool or an event loop.
///
/// ```swift
/// let pool = DatabasePool(configuration: try .resolve())
/// let groups = try await pool.withConnection { db in
///     try db.query("SELECT slug FROM working_groups ORDER BY slug").rows.map { try $0.decode("slug", as: String.self) }
/// }
/// ```
/// A connection that broke (server restart, network loss) is discarded, never handed out again; the
/// call that met the break gets a `.connectionLost` error and the next call opens a fresh connection.
public final class DatabasePool: Sendable {
    /// The settings this pool connects with.
    public let configuration: DatabaseConfiguration
    let logger: Logger
    private let threadPool: NIOThreadPool
    private let state = Mutex(State())

    private struct State: ~Copyable {
        var idle: [Connection] = []
        var open = 0
        var waiters: [(id: Int, continuation: CheckedContinuation<Handoff, any Error>)] = []
        var nextWaiterID = 0
        var closed = false
    }

    /// What a waiter is given: a connection to use, or permission to open one.
    private enum Handoff: Sendable {
        case connection(Connection)
        case openNew
    }

    /// Creates a pool; no connection is opened until the first call.
    public init(configuration: DatabaseConfiguration, logger: Logger = Logger(label: "consortium.database")) {
        self.configuration = configuration
        self.logger = logger
        // One thread per connection: a blocking libpq call occupies its thread for the whole round trip, so fewer
        // threads than connections would cap concurrency below the pool size (and a shared pool would let slow
        // queries starve unrelated work such as file serving).
        self.threadPool = NIOThreadPool(numberOfThreads: configuration.maxConnections)
        self.threadPool.start()
    }

    /// Leases a connection for the duration of `body`, which runs on a thread-pool thread.
    ///
    /// - Throws: `DatabaseError` when no connection can be opened, or whatever `body` throws.
    public func withConnection<R: Sendable>(_ body: @escaping @Sendable (Connection) throws -> R) async throws -> R {
        if let held = Self.held, held.pool == ObjectIdentifier(self) {
            return try await self.threadPool.runIfActive {
                try held.lock.withLock { _ in try held.connection.withSavepoint(body) }
            }
        }
        let connection = try await self.lease()
        do {
            let value = try await self.threadPool.runIfActive {
                let value = try body(connection)
                // A caller that left a transaction open must not pass it on to the next lease.
                if !connection.isBroken, !connection.isIdle { try? connection.executeScript("ROLLBACK") }
                return value
            }
            self.release(connection)
            return value
        } catch {
            if !connection.isBroken, !connection.isIdle { try? connection.executeScript("ROLLBACK") }
            self.release(connection)
            throw error
        }
    }

    /// A connection held across a unit of async work (`withHeldTransaction`).
    ///
    /// `@unchecked Sendable` for its `Connection`, which the lock lets one body at a time use.
    final class HeldTransaction: @unchecked Sendable {
        let connection: Connection
        let pool: ObjectIdentifier
        let lock = Mutex(())

        init(connection: Connection, pool: ObjectIdentifier) {
            self.connection = connection
            self.pool = pool
        }
    }

    /// The held transaction of the current task, if any.
    @TaskLocal static var held: HeldTransaction?

    /// Runs async `work` with one transaction held open: every query `work` makes through this pool (from any store)
    /// joins it, each in a savepoint, and all of it commits when `work` returns or rolls back when it throws, or when
    /// the process dies. For units whose parts must not survive alone: an idempotent create's claimed key, the record it
    /// makes and the response stored for its retries. Nested calls join the outer transaction.
    public func withHeldTransaction<R: Sendable>(_ work: () async throws -> R) async throws -> R {
        if let held = Self.held, held.pool == ObjectIdentifier(self) { return try await work() }
        let connection = try await self.lease()
        do {
            try await self.threadPool.runIfActive { try connection.executeScript("BEGIN") }
        } catch {
            self.release(connection)
            throw error
        }
        let held = HeldTransaction(connection: connection, pool: ObjectIdentifier(self))
        do {
            let value = try await Self.$held.withValue(held) { try await work() }
            try await self.threadPool.runIfActive { try connection.executeScript("COMMIT") }
            self.release(connection)
            return value
        } catch {
            _ = try? await self.threadPool.runIfActive { if !connection.isBroken, !connection.isIdle { try? connection.executeScript("ROLLBACK") } }
            self.release(connection)
            throw error
        }
    }

    /// Runs `body` in one transaction on one connection: COMMIT if it returns, ROLLBACK if it throws.
    public func withTransaction<R: Sendable>(_ body: @escaping @Sendable (Connection) throws -> R) async throws -> R {
        try await self.withConnection { connection in try connection.withTransaction(body) }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ query: SQLQuery) async throws -> QueryResult {
        try await self.withConnection { connection in try connection.query(query) }
    }

    /// Closes idle connections, stops the pool's threads once their current calls finish, and refuses new leases.
    public func shutdown() {
        let (idle, waiters) = self.state.withLock { state in
            state.closed = true
            let idle = state.idle
            let waiters = state.waiters
            state.open -= idle.count
            state.idle = []
            state.waiters = []
            return (idle, waiters)
        }
        for connection in idle { connection.close() }
        self.threadPool.shutdownGracefully { _ in }
        for waiter in waiters { waiter.continuation.resume(throwing: DatabaseError(.poolClosed, message: "the database pool was shut down")) }
    }

    /// Counts for tests and metrics: open connections, idle ones, and callers waiting for one.
    public var statistics: (open: Int, idle: Int, waiting: Int) {
        self.state.withLock { ($0.open, $0.idle.count, $0.waiters.count) }
    }

    // MARK: Leasing

    private func lease() async throws -> Connection {
        while true {
            switch try await self.handoff() {
            case .connection(let connection):
                if connection.isAlive() { return connection }
                self.logger.debug("discarding a pooled connection the server closed")
                connection.close()
                // Keep the slot and open a replacement in its place.
                return try await self.openConnection()
            case .openNew:
                return try await self.openConnection()
            }
        }
    }

    private func handoff() async throws -> Handoff {
        let timeout = self.configuration.acquireTimeout
        var timer: Task<Void, Never>?
        let handoff: Handoff = try await withCheckedThrowingContinuation { continuation in
            let immediate: Result<Handoff, DatabaseError>? = self.state.withLock { state in
                if state.closed { return .failure(DatabaseError(.poolClosed, message: "the database pool was shut down")) }
                if let connection = state.idle.popLast() { return .success(.connection(connection)) }
                if state.open < self.configuration.maxConnections {
                    state.open += 1
                    return .success(.openNew)
                }
                let id = state.nextWaiterID
                state.nextWaiterID += 1
                state.waiters.append((id, continuation))
                timer = Task { [weak self] in
                    try? await Task.sleep(for: timeout)
                    if !Task.isCancelled { self?.timeOutWaiter(id, after: timeout) }
                }
                return nil
            }
            if let immediate { continuation.resume(with: immediate) }
        }
        timer?.cancel()
        return handoff
    }

    private func timeOutWaiter(_ id: Int, after timeout: Duration) {
        let waiter: CheckedContinuation<Handoff, any Error>? = self.state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index).continuation
        }
        waiter?.resume(
            throwing: DatabaseError(
                .connectionFailed,
                message: "no database connection became free within \(timeout) (all \(self.configuration.maxConnections) in use)"))
    }

    private func openConnection() async throws -> Connection {
        let configuration = self.configuration
        do {
            return try await self.threadPool.runIfActive {
                try Connection.connect(configuration.connectionString, describedAs: configuration.displayName)
            }
        } catch let error as DatabaseError {
            self.releaseSlot()
            var error = error
            error.hint = error.hint ?? configuration.connectionHint
            throw error
        } catch {
            self.releaseSlot()
            throw error
        }
    }

    private func release(_ connection: Connection) {
        guard !connection.isBroken, connection.isIdle else {
            connection.close()
            self.releaseSlot()
            return
        }
        let action: (waiter: CheckedContinuation<Handoff, any Error>?, close: Bool) = self.state.withLock { state in
            if state.closed {
                state.open -= 1
                return (nil, true)
            }
            if !state.waiters.isEmpty { return (state.waiters.removeFirst().continuation, false) }
            state.idle.append(connection)
            return (nil, false)
        }
        if action.close { connection.close() }
        action.waiter?.resume(returning: .connection(connection))
    }

    /// Gives a dead connection's slot to the next waiter (who opens a fresh one) or frees it.
    private func releaseSlot() {
        let waiter: CheckedContinuation<Handoff, any Error>? = self.state.withLock { state in
            if !state.closed, !state.waiters.isEmpty { return state.waiters.removeFirst().continuation }
            state.open -= 1
            return nil
        }
        waiter?.resume(returning: .openNew)
    }
}
