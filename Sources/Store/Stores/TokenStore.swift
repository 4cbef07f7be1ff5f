import Database
public import Domain
public import Foundation

/// API tokens: created with a secret shown once, stored only as its SHA-256, checked on every request.
public struct TokenStore: Sendable {
    let pool: DatabasePool

    /// Who a valid token speaks for.
    public struct Identity: Sendable, Hashable {
        public let token: APIToken
        public let member: Member
        /// Groups the member currently belongs to, with the role in each (by group slug).
        public let roles: [String: Membership.Role]

        /// Whether the token may act as an administrator (an admin member with an admin-scoped token).
        public var isAdmin: Bool { self.member.isAdmin && self.token.scope == .admin }
    }

    /// Tokens start with this, so secret scanners and people can recognise them.
    public static let secretPrefix = "cons_"

    /// Creates a token for the member with `email`; returns the record and the secret (never stored).
    public func create(
        for email: EmailAddress, name: String, scope: APIToken.Scope, expiresAt: Date?, actor: String
    ) async throws -> (token: APIToken, secret: String) {
        try await self.pool.withTransaction { connection in
            guard let row = try connection.query("SELECT id, is_admin FROM members WHERE lower(email) = lower(\(email))").first else {
                throw StoreError.notFound("member \(email)")
            }
            let memberID: Identifier<Member> = try row.id("id")
            if scope == .admin, !(try row.decode("is_admin", as: Bool.self)) {
                throw DomainValidationError(field: "scope", message: "only administrators can hold admin tokens")
            }
            let secret = Self.secretPrefix + SecureRandom.token()
            let token = try APIToken(
                memberID: memberID, name: name, prefix: String(secret.prefix(12)), scope: scope, expiresAt: expiresAt)
            try connection.query(
                """
                INSERT INTO api_tokens (id, member_id, name, prefix, token_hash, scope, created_at, expires_at)
                VALUES (\(token.id), \(memberID), \(token.name), \(token.prefix), \(Self.hash(secret)), \(scope.rawValue),
                        \(token.createdAt), \(expiresAt))
                """)
            try AuditStore.record(
                try AuditEntry(
                    actorID: memberID, actorName: actor, action: "token.create", entityType: "api_token", entityID: token.id.description,
                    after: try AuditStore.json(token)),
                on: connection)
            return (token, secret)
        }
    }

    /// The identity behind `secret`, or nil when it is unknown, revoked or expired. Records the use.
    public func authenticate(_ secret: String, at now: Date = Date()) async throws -> Identity? {
        guard secret.hasPrefix(Self.secretPrefix), secret.utf8.count < 200 else { return nil }
        // Looking up by the digest means the secret itself is never compared byte by byte, so timing reveals nothing.
        let digest = Self.hash(secret)
        return try await self.pool.withConnection { connection in
            guard
                let row = try connection.query(
                    """
                    UPDATE api_tokens SET last_used_at = \(now)
                     WHERE token_hash = \(digest) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > \(now))
                    RETURNING id, member_id, name, prefix, scope, created_at, expires_at, last_used_at, revoked_at
                    """
                ).first
            else { return nil }
            let token = try Self.token(row)
            guard let member = try connection.query("SELECT \(query: Member.columns) FROM members WHERE id = \(token.memberID)").first else {
                return nil
            }
            return Identity(token: token, member: try Member(row: member), roles: try Self.roles(of: token.memberID, on: now, connection: connection))
        }
    }

    /// A member's tokens, newest first.
    public func list(member: Identifier<Member>) async throws -> [APIToken] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT id, member_id, name, prefix, scope, created_at, expires_at, last_used_at, revoked_at
                  FROM api_tokens WHERE member_id = \(member) ORDER BY created_at DESC, id
                """
            ).rows.map(Self.token)
        }
    }

    /// Revokes a token (of `member`, unless nil for an administrator); true if it was live.
    public func revoke(_ id: Identifier<APIToken>, member: Identifier<Member>?, actor: String) async throws -> Bool {
        try await self.pool.withTransaction { connection in
            let revoked =
                try connection.query(
                    """
                    UPDATE api_tokens SET revoked_at = now()
                     WHERE id = \(id) AND revoked_at IS NULL AND (\(member)::uuid IS NULL OR member_id = \(member))
                    """
                ).affectedRows == 1
            if revoked {
                try AuditStore.record(
                    try AuditEntry(actorID: member, actorName: actor, action: "token.revoke", entityType: "api_token", entityID: id.description),
                    on: connection)
            }
            return revoked
        }
    }

    /// The groups a member belongs to on `date`, with the role in each (by group slug).
    static func roles(of member: Identifier<Member>, on date: Date, connection: Connection) throws -> [String: Membership.Role] {
        var roles: [String: Membership.Role] = [:]
        for role in try connection.query(
            """
            SELECT g.slug, m.role FROM memberships m JOIN working_groups g ON g.id = m.working_group_id
             WHERE m.member_id = \(member) AND daterange(m.started_on, m.ended_on) @> \(date)::date
            """
        ).rows {
            roles[try role.decode("slug")] = try role.enumValue("role")
        }
        return roles
    }

    static func hash(_ secret: String) -> Data { SHA256.digest(of: Data(secret.utf8)) }

    static func token(_ row: SQLRow) throws -> APIToken {
        try APIToken(
            id: try row.id("id"), memberID: try row.id("member_id"), name: try row.decode("name"), prefix: try row.decode("prefix"),
            scope: try row.enumValue("scope"), createdAt: try row.decode("created_at"), expiresAt: try row.decode("expires_at"),
            lastUsedAt: try row.decode("last_used_at"), revokedAt: try row.decode("revoked_at"))
    }
}
