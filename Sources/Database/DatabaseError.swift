import Foundation

/// An error from the PostgreSQL client: a failed connection, a server-side error with its SQLSTATE,
/// or a row that could not be decoded into the requested type.
public struct DatabaseError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is; servers errors are further told apart by `sqlState`.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case connectionFailed, connectionLost, server, decoding, poolClosed, invalidConfiguration, migration
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// The server could not be reached or refused the connection.
        public static var connectionFailed: Self { .init(.connectionFailed) }
        /// An established connection broke during the call (server restart, network loss).
        public static var connectionLost: Self { .init(.connectionLost) }
        /// The server rejected the statement; see `sqlState`.
        public static var server: Self { .init(.server) }
        /// A value in a result could not be decoded into the requested Swift type.
        public static var decoding: Self { .init(.decoding) }
        /// The pool was shut down.
        public static var poolClosed: Self { .init(.poolClosed) }
        /// The connection settings are not usable.
        public static var invalidConfiguration: Self { .init(.invalidConfiguration) }
        /// Migration files and the database disagree.
        public static var migration: Self { .init(.migration) }
        public var description: String { "\(self.base)" }
    }

    /// The kind of failure.
    public var kind: Kind
    /// Primary human-readable message (libpq's or the server's).
    public var message: String
    /// Five-character SQLSTATE code for server errors, e.g. `23505`.
    public var sqlState: String?
    /// The server's DETAIL line, if any.
    public var detail: String?
    /// The server's HINT line, or our own advice on what to do next.
    public var hint: String?
    /// The constraint that was violated, if any.
    public var constraint: String?
    /// The table the error refers to, if any.
    public var table: String?
    /// The column the error refers to, if any.
    public var column: String?

    /// Creates an error of the given kind.
    public init(
        _ kind: Kind, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil,
        constraint: String? = nil, table: String? = nil, column: String? = nil
    ) {
        self.kind = kind
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.constraint = constraint
        self.table = table
        self.column = column
    }

    /// `23505`: a UNIQUE or PRIMARY KEY constraint rejected the row.
    public var isUniqueViolation: Bool { self.sqlState == "23505" }
    /// `23503`: a FOREIGN KEY constraint rejected the row.
    public var isForeignKeyViolation: Bool { self.sqlState == "23503" }
    /// `23514`: a CHECK constraint rejected the row.
    public var isCheckViolation: Bool { self.sqlState == "23514" }
    /// `23502`: a NOT NULL column was given NULL.
    public var isNotNullViolation: Bool { self.sqlState == "23502" }
    /// `23P01`: an EXCLUDE constraint (e.g. overlapping periods) rejected the row.
    public var isExclusionViolation: Bool { self.sqlState == "23P01" }
    /// `40001` or `40P01`: the transaction lost a race and may simply be retried.
    public var isSerializationFailure: Bool { self.sqlState == "40001" || self.sqlState == "40P01" }
    /// The connection broke; the pool has discarded it and the next call gets a fresh one.
    public var isConnectionLost: Bool {
        self.kind == .connectionLost || self.kind == .connectionFailed || (self.sqlState?.hasPrefix("08") ?? false)
            || self.sqlState == "57P01"
    }

    /// One line: what failed, the SQLSTATE and constraint when known, and the hint.
    public var description: String {
        var line = self.message.trimmingTrailingNewlines()
        if let sqlState { line += " (SQLSTATE \(sqlState)" + (constraint.map { ", constraint \($0)" } ?? "") + ")" }
        if let detail, !detail.isEmpty { line += ": \(detail.trimmingTrailingNewlines())" }
        if let hint, !hint.isEmpty { line += ". \(hint)" }
        return line.replacingNewlines()
    }
}

extension String {
    func trimmingTrailingNewlines() -> String {
        var s = Substring(self)
        while let last = s.last, last.isNewline || last == " " { s = s.dropLast() }
        return String(s)
    }

    func replacingNewlines() -> String {
        String(self.map { $0.isNewline || $0 == "\t" ? " " : $0 }).replacingOccurrences(of: "  ", with: " ")
    }
}
