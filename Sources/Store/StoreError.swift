/// Errors the stores raise on top of the database's own.
public struct StoreError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Base: Hashable, Sendable { case notFound, corruptRow, conflict, preconditionFailed }
    private let base: Base
    /// What was looked for, or what is wrong.
    public let detail: String
    private init(_ base: Base, _ detail: String) {
        self.base = base
        self.detail = detail
    }

    /// No row matched the requested identifier.
    public static func notFound(_ what: String) -> Self { .init(.notFound, what) }
    /// A stored row breaks a domain rule (the schema should make this impossible).
    public static func corruptRow(_ why: String) -> Self { .init(.corruptRow, why) }

    /// The record's state forbids the change (a published artifact edited, say).
    public static func conflict(_ why: String) -> Self { .init(.conflict, why) }
    /// The caller's precondition (an `If-Match` version) no longer holds.
    public static func preconditionFailed(_ why: String) -> Self { .init(.preconditionFailed, why) }

    /// Whether the record's state forbids the change.
    public var isConflict: Bool { self.base == .conflict }
    /// Whether the caller's precondition failed.
    public var isPreconditionFailed: Bool { self.base == .preconditionFailed }

    /// Whether this is a not-found error.
    public var isNotFound: Bool { self.base == .notFound }

    public var description: String {
        switch self.base {
        case .notFound: "not found: \(self.detail)"
        case .corruptRow: "stored row is invalid: \(self.detail)"
        case .conflict, .preconditionFailed: self.detail
        }
    }
}
