public import Foundation

/// A bearer token for the JSON API. Only its SHA-256 is stored; the secret is shown once at creation.
public struct APIToken: Hashable, Sendable, Codable, Identifiable {
    /// What the token may do, each including the ones before it.
    public enum Scope: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
        case read, write, admin

        public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rank < rhs.rank }

        private var rank: Int {
            switch self {
            case .read: 0
            case .write: 1
            case .admin: 2
            }
        }
    }

    public let id: Identifier<APIToken>
    public var memberID: Identifier<Member>
    public var name: String
    /// The first characters of the secret, shown in listings so people can tell tokens apart.
    public var prefix: String
    public var scope: Scope
    public var createdAt: Date
    public var expiresAt: Date?
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    /// Creates a token record.
    public init(
        id: Identifier<APIToken> = .init(), memberID: Identifier<Member>, name: String, prefix: String, scope: Scope,
        createdAt: Date = Date(), expiresAt: Date? = nil, lastUsedAt: Date? = nil, revokedAt: Date? = nil
    ) throws(DomainValidationError) {
        if let expiresAt, expiresAt <= createdAt {
            throw DomainValidationError(field: "expires_at", message: "must be after the token is created")
        }
        self.id = id
        self.memberID = memberID
        self.name = try Text.required(name, field: "name", maxLength: 100)
        self.prefix = prefix
        self.scope = scope
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedAt = lastUsedAt
        self.revokedAt = revokedAt
    }

    /// Whether the token can be used at `date`: not revoked and not expired.
    public func isUsable(at date: Date) -> Bool {
        self.revokedAt == nil && (self.expiresAt.map { date < $0 } ?? true)
    }
}
