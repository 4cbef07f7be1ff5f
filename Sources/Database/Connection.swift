import CLibPQ
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One libpq connection. Its calls block, so it is only ever used on a thread-pool thread.
///
/// `@unchecked Sendable` because it wraps a `PGconn*`: libpq allows a connection to move between threads
/// but not to be used by two at once, and ``DatabasePool`` guarantees that by leasing it to one closure
/// at a time. The listener owns its connection outright.
public final class Connection: @unchecked Sendable {
    private let handle: OpaquePointer
    private var closed = false
    /// Open savepoints, for unique names when they nest.
    private var savepoints = 0
    /// Statements prepared on this connection, by SQL text and parameter types: the server parses and plans a
    /// statement once per connection instead of on every call (it still re-plans with the actual values when a
    /// generic plan would be worse, PostgreSQL's plan_cache_mode = auto).
    private var statements: [StatementKey: String] = [:]
    /// SQL is static text in this code base, so this bound is only a guard against unbounded growth.
    private static let maximumStatements = 512

    private struct StatementKey: Hashable {
        let sql: String
        let types: [Oid]
    }

    private init(handle: OpaquePointer) {
        self.handle = handle
    }

    deinit {
        if !self.closed { PQfinish(self.handle) }
    }

    /// Opens a connection from a libpq connection string or URI (libpq also reads `PG*` variables,
    /// `.pgpass` and `sslmode`), and sets the session to UTC and ISO dates, which the decoders rely on.
    ///
    /// Network defaults come first, so the connection string's own values win: a server that stops answering (a cut
    /// link, a dead router) fails a connect in 10 s and a query within about a minute, instead of the kernel's 15
    /// minutes, so a runner notices and its run is taken over rather than left hanging.
    static func connect(_ conninfo: String, describedAs target: String) throws(DatabaseError) -> Connection {
        // PGCONNECT_TIMEOUT, when set, is the operator's choice: a keyword given here would override it.
        let timeout = ProcessInfo.processInfo.environment["PGCONNECT_TIMEOUT"] == nil ? [("connect_timeout", "10")] : []
        let defaults =
            timeout + [
                ("keepalives", "1"), ("keepalives_idle", "30"), ("keepalives_interval", "10"), ("keepalives_count", "3"),
                ("tcp_user_timeout", "60000"), ("dbname", conninfo),
            ]
        let keywords = defaults.map { strdup($0.0) } + [nil]
        let values = defaults.map { strdup($0.1) } + [nil]
        defer {
            for pointer in keywords { free(pointer) }
            for pointer in values { free(pointer) }
        }
        // expand_dbname: the last entry, the caller's string or URI, is parsed and overrides the defaults before it.
        let opened = keywords.map { UnsafePointer($0) }.withUnsafeBufferPointer { keywordBuffer in
            values.map { UnsafePointer($0) }.withUnsafeBufferPointer { valueBuffer in
                PQconnectdbParams(keywordBuffer.baseAddress, valueBuffer.baseAddress, 1)
            }
        }
        guard let handle = opened else {
            throw DatabaseError(.connectionFailed, message: "cannot connect to \(target): out of memory")
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(handle)).trimmingTrailingNewlines().replacingNewlines()
            PQfinish(handle)
            throw DatabaseError(.connectionFailed, message: "cannot connect to \(target): \(message)")
        }
        // Without a processor libpq prints NOTICEs ("extension already exists") to stderr.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
        let connection = Connection(handle: handle)
        try connection.executeScript(
            "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'iso_8601'; SET extra_float_digits = 3; "
                // A client that vanished inside a transaction must not keep its row locks (a run's) for hours.
                + "SET idle_in_transaction_session_timeout = '5min'")
        return connection
    }

    /// Closes the connection; later calls fail with `.connectionLost`.
    func close() {
        guard !self.closed else { return }
        self.closed = true
        PQfinish(self.handle)
    }

    /// Whether the connection is known to be unusable.
    public var isBroken: Bool { self.closed || PQstatus(self.handle) != CONNECTION_OK }

    /// Whether no transaction is open (or failed) on this connection.
    var isIdle: Bool { !self.closed && PQtransactionStatus(self.handle) == PQTRANS_IDLE }

    /// The server process id serving this connection (for tests and `pg_terminate_backend`).
    public var backendPID: Int32 { PQbackendPID(self.handle) }

    /// Runs one parameterised statement and returns its rows.
    @discardableResult
    public func query(_ query: SQLQuery) throws(DatabaseError) -> QueryResult {
        guard !self.closed else { throw DatabaseError(.connectionLost, message: "the connection was closed") }
        let count = query.binds.count
        var types = query.binds.map { Oid($0.type.rawValue) }
        let values: [UnsafeMutablePointer<CChar>?] = query.binds.map { bind in bind.text.flatMap { strdup($0) } }
        defer { for value in values { free(value) } }
        let key = StatementKey(sql: query.sql, types: types)
        var name = self.statements[key]
        if name == nil, self.statements.count < Self.maximumStatements {
            let candidate = "consortium_\(self.statements.count)"
            let prepared = types.withUnsafeBufferPointer { typePointers in
                PQprepare(self.handle, candidate, query.sql, Int32(count), count == 0 ? nil : typePointers.baseAddress)
            }
            _ = try self.consume(prepared)
            self.statements[key] = candidate
            name = candidate
        }
        let result: OpaquePointer? = values.withUnsafeBufferPointer { valuePointers in
            types.withUnsafeMutableBufferPointer { typePointers in
                valuePointers.withMemoryRebound(to: UnsafePointer<CChar>?.self) { constValues in
                    if let name {
                        PQexecPrepared(self.handle, name, Int32(count), count == 0 ? nil : constValues.baseAddress, nil, nil, 0)
                    } else {
                        PQexecParams(
                            self.handle, query.sql, Int32(count), count == 0 ? nil : typePointers.baseAddress,
                            count == 0 ? nil : constValues.baseAddress, nil, nil, 0)
                    }
                }
            }
        }
        return try self.consume(result)
    }

    /// Runs SQL text that may hold several statements and no parameters (migration files).
    public func executeScript(_ sql: String) throws(DatabaseError) {
        guard !self.closed else { throw DatabaseError(.connectionLost, message: "the connection was closed") }
        _ = try self.consume(PQexec(self.handle, sql))
    }

    /// Runs `body` in a transaction: COMMIT if it returns, ROLLBACK if it throws. Inside a transaction already (a held
    /// one, see `DatabasePool.withHeldTransaction`) it is a savepoint instead, so it commits with the outer one.
    public func withTransaction<R>(_ body: (Connection) throws -> R) throws -> R {
        if !self.isIdle, !self.isBroken { return try self.withSavepoint(body) }
        try self.executeScript("BEGIN")
        let value: R
        do {
            value = try body(self)
        } catch {
            if !self.isBroken { try? self.executeScript("ROLLBACK") }
            throw error
        }
        try self.executeScript("COMMIT")
        return value
    }

    /// Runs `body` inside a savepoint of the open transaction: a failing statement in it is rolled back alone and the
    /// transaction goes on, as it would have in autocommit.
    func withSavepoint<R>(_ body: (Connection) throws -> R) throws -> R {
        self.savepoints += 1
        defer { self.savepoints -= 1 }
        let name = "consortium_\(self.savepoints)"
        try self.executeScript("SAVEPOINT \(name)")
        let value: R
        do {
            value = try body(self)
        } catch {
            if !self.isBroken { try? self.executeScript("ROLLBACK TO SAVEPOINT \(name); RELEASE SAVEPOINT \(name)") }
            throw error
        }
        try self.executeScript("RELEASE SAVEPOINT \(name)")
        return value
    }

    /// Checks, without a round trip, that the server has not closed the connection while it sat idle.
    ///
    /// After a server restart an idle socket has the server's termination message and EOF waiting
    /// on it; reading them flips libpq's status to bad, so the pool can discard it before use.
    func isAlive() -> Bool {
        guard !self.isBroken else { return false }
        let socket = PQsocket(self.handle)
        guard socket >= 0 else { return false }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, 0)
        // An idle connection is sent nothing unasked; anything waiting is the server saying goodbye (a FATAL
        // "terminating connection" then EOF, which libpq may need two reads to notice) or something equally
        // unexpected. Replacing such a connection costs one reconnect; keeping it could fail the caller's query.
        if ready != 0 { return false }
        return !self.isBroken
    }

    /// Waits up to `timeout` seconds for notifications (for connections that ran LISTEN).
    func waitForNotifications(timeout: Double) throws(DatabaseError) -> [DatabaseNotification] {
        let socket = PQsocket(self.handle)
        guard !self.isBroken, socket >= 0 else {
            throw DatabaseError(.connectionLost, message: "the notification connection is broken")
        }
        var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
        let ready = poll(&descriptor, 1, Int32(timeout * 1000))
        if ready > 0, PQconsumeInput(self.handle) == 0 {
            throw DatabaseError(.connectionLost, message: self.errorMessage())
        }
        var notifications: [DatabaseNotification] = []
        while let notify = PQnotifies(self.handle) {
            let channel = String(cString: notify.pointee.relname)
            let payload = String(cString: notify.pointee.extra)
            notifications.append(DatabaseNotification(channel: channel, payload: payload, senderPID: notify.pointee.be_pid))
            PQfreemem(notify)
        }
        if self.isBroken { throw DatabaseError(.connectionLost, message: self.errorMessage()) }
        return notifications
    }

    /// Quotes an identifier (for LISTEN, which takes no parameters).
    func escapeIdentifier(_ identifier: String) throws(DatabaseError) -> String {
        guard let escaped = PQescapeIdentifier(self.handle, identifier, identifier.utf8.count) else {
            throw DatabaseError(.server, message: "cannot quote identifier: \(self.errorMessage())")
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    private func errorMessage() -> String {
        String(cString: PQerrorMessage(self.handle)).trimmingTrailingNewlines().replacingNewlines()
    }

    private func consume(_ result: OpaquePointer?) throws(DatabaseError) -> QueryResult {
        guard let result else {
            throw DatabaseError(self.isBroken ? .connectionLost : .server, message: self.errorMessage())
        }
        defer { PQclear(result) }
        let status = PQresultStatus(result)
        switch status {
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return QueryResult(rows: [], affectedRows: Self.affectedRows(result))
        case PGRES_TUPLES_OK:
            return QueryResult(rows: Self.rows(result), affectedRows: Self.affectedRows(result))
        default:
            throw self.error(from: result)
        }
    }

    private func error(from result: OpaquePointer) -> DatabaseError {
        func field(_ code: UInt8) -> String? {
            PQresultErrorField(result, Int32(code)).map { String(cString: $0) }
        }
        let sqlState = field(UInt8(ascii: "C"))
        let message = field(UInt8(ascii: "M")) ?? self.errorMessage()
        let lost = self.isBroken || (sqlState?.hasPrefix("08") ?? false) || sqlState == "57P01"
        return DatabaseError(
            lost ? .connectionLost : .server, message: message, sqlState: sqlState, detail: field(UInt8(ascii: "D")),
            hint: field(UInt8(ascii: "H")), constraint: field(UInt8(ascii: "n")), table: field(UInt8(ascii: "t")),
            column: field(UInt8(ascii: "c")))
    }

    private static func affectedRows(_ result: OpaquePointer) -> Int {
        guard let tuples = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: tuples)) ?? 0
    }

    private static func rows(_ result: OpaquePointer) -> [SQLRow] {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = SQLColumns(
            names: (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) },
            types: (0..<columnCount).map { PostgresType(rawValue: UInt32(PQftype(result, Int32($0)))) })
        var rows: [SQLRow] = []
        rows.reserveCapacity(rowCount)
        for r in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for c in 0..<Int32(columnCount) {
                if PQgetisnull(result, r, c) == 1 {
                    values.append(nil)
                } else {
                    let length = Int(PQgetlength(result, r, c))
                    let bytes = UnsafeRawBufferPointer(start: PQgetvalue(result, r, c).map(UnsafeRawPointer.init), count: length)
                    values.append(String(decoding: bytes, as: UTF8.self))
                }
            }
            rows.append(SQLRow(columns: columns, values: values))
        }
        return rows
    }
}

/// A NOTIFY received on a channel this process listens to.
public struct DatabaseNotification: Sendable, Hashable {
    /// The channel name.
    public var channel: String
    /// The payload text (may be empty).
    public var payload: String
    /// The server process that sent it.
    public var senderPID: Int32
}
