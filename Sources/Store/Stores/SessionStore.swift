public import Database
public import Domain
public import Foundation

/// Browser sign-in: members' passwords, sessions (the cookie's secret is never stored, only its SHA-256) and the
/// attempt log that rate-limits guessing.
public struct SessionStore: Sendable {
    let pool: DatabasePool

    /// How long a session lasts, and how long it may sit unused.
    public static let lifetime: TimeInterval = 14 * 86_400
    public static let idleTimeout: TimeInterval = 2 * 86_400
    /// Failed attempts allowed per e-mail address, and per client address, in `window` before sign-in is refused.
    public static let maxFailuresPerEmail = 5
    public static let maxFailuresPerClient = 30
    public static let window: TimeInterval = 15 * 60

    /// A signed-in browser: who, what the pages let them do, and the token their forms carry.
    public struct Session: Sendable {
        public let identity: TokenStore.Identity
        public let csrfToken: String
    }

    /// What a sign-in attempt came to.
    public enum SignIn: Sendable {
        /// Signed in: the cookie's secret (shown once, never stored) and the new session.
        case signedIn(secret: String, session: Session)
        /// Wrong e-mail address or password (which of the two is not said).
        case refused
        /// Too many recent failures; try again after this many seconds.
        case throttled(retryAfter: Int)
    }

    /// Sets a member's password (an administrator's action, audited). At least 10 characters, at most 1,000.
    public func setPassword(email: EmailAddress, password: String, actor: Actor) async throws {
        guard (10...1000).contains(password.count) else {
            throw DomainValidationError(field: "password", message: "must be 10 to 1000 characters long")
        }
        let hash = await Self.offPool { PasswordHash.make(password) }
        try await self.pool.withTransaction { connection in
            guard let row = try connection.query("UPDATE members SET password_hash = \(hash) WHERE lower(email) = lower(\(email)) RETURNING id").first
            else { throw StoreError.notFound("member \(email)") }
            let memberID: Identifier<Member> = try row.id("id")
            // Everyone signed in as them is signed out: a reset is often because someone else knew the old one.
            try connection.query("DELETE FROM web_sessions WHERE member_id = \(memberID)")
            try AuditStore.record(
                try AuditEntry(
                    actorID: actor.memberID, actorName: actor.name, action: "member.set_password", entityType: "member",
                    entityID: memberID.description),
                on: connection)
        }
    }

    /// Checks an e-mail address and password; on success opens a session.
    public func signIn(email: String, password: String, client: String, now: Date = Date()) async throws -> SignIn {
        let email = String(email.trimmingCharacters(in: .whitespacesAndNewlines).prefix(320))
        let client = String(client.prefix(100))
        let since = now.addingTimeInterval(-Self.window)
        let (emailFailures, clientFailures, oldest, member): (Int, Int, Date?, (Member, String?)?) = try await self.pool.withConnection { c in
            let counts = try c.query(
                """
                SELECT count(*) FILTER (WHERE lower(email) = lower(\(email))) AS by_email, count(*) FILTER (WHERE client = \(client)) AS by_client,
                       min(attempted_at) FILTER (WHERE lower(email) = lower(\(email)) OR client = \(client)) AS oldest
                  FROM sign_in_attempts
                 WHERE NOT succeeded AND attempted_at > \(since) AND (lower(email) = lower(\(email)) OR client = \(client))
                """
            ).first
            let member = try c.query("SELECT \(query: Member.columns), password_hash FROM members WHERE lower(email) = lower(\(email))").first
                .map { (try Member(row: $0), try $0.decode("password_hash", as: String?.self)) }
            return (try counts?.decode("by_email") ?? 0, try counts?.decode("by_client") ?? 0, try counts?.decode("oldest"), member)
        }
        if emailFailures >= Self.maxFailuresPerEmail || clientFailures >= Self.maxFailuresPerClient {
            let retry = (oldest ?? now).addingTimeInterval(Self.window).timeIntervalSince(now)
            return .throttled(retryAfter: max(1, Int(retry.rounded(.up))))
        }
        // An unknown address costs the same time as a known one, so timing does not tell which addresses exist (the
        // decoy hash is made on first use, off the pool too).
        let stored = member?.1
        let matches = await Self.offPool { PasswordHash.verify(password, against: stored ?? PasswordHash.decoy) } && stored != nil
        return try await self.pool.withTransaction { connection in
            try connection.query(
                "INSERT INTO sign_in_attempts (email, client, succeeded, attempted_at) VALUES (\(email), \(client), \(matches), \(now))")
            guard matches, let (member, _) = member else { return .refused }
            let secret = SecureRandom.token(bits: 256)
            let csrf = SecureRandom.token(bits: 192)
            try connection.query("DELETE FROM web_sessions WHERE member_id = \(member.id) AND expires_at < \(now)")
            try connection.query(
                """
                INSERT INTO web_sessions (secret_hash, member_id, csrf_token, created_at, last_seen_at, expires_at)
                VALUES (\(SHA256.digest(of: Data(secret.utf8))), \(member.id), \(csrf), \(now), \(now), \(now.addingTimeInterval(Self.lifetime)))
                """)
            let identity = try Self.identity(member, expiresAt: now.addingTimeInterval(Self.lifetime), now: now, connection: connection)
            return .signedIn(secret: secret, session: Session(identity: identity, csrfToken: csrf))
        }
    }

    /// The session behind a cookie's secret, or nil when it is unknown, expired or idle too long.
    public func session(_ secret: String, now: Date = Date()) async throws -> Session? {
        guard (20...200).contains(secret.utf8.count) else { return nil }
        let digest = SHA256.digest(of: Data(secret.utf8))
        return try await self.pool.withConnection { connection in
            guard
                let row = try connection.query(
                    """
                    SELECT member_id, csrf_token, expires_at, last_seen_at FROM web_sessions
                     WHERE secret_hash = \(digest) AND expires_at > \(now) AND last_seen_at > \(now.addingTimeInterval(-Self.idleTimeout))
                    """
                ).first,
                let member = try connection.query(
                    "SELECT \(query: Member.columns) FROM members WHERE id = \(try row.id("member_id") as Identifier<Member>)"
                )
                .first.map(Member.init)
            else { return nil }
            // Page views write only when the last one was over a minute ago, not on every request.
            if try row.decode("last_seen_at", as: Date.self) < now.addingTimeInterval(-60) {
                try connection.query("UPDATE web_sessions SET last_seen_at = \(now) WHERE secret_hash = \(digest)")
            }
            let identity = try Self.identity(member, expiresAt: try row.decode("expires_at"), now: now, connection: connection)
            return Session(identity: identity, csrfToken: try row.decode("csrf_token"))
        }
    }

    /// Ends the session behind a cookie's secret (signing out); nothing happens for an unknown one.
    public func signOut(_ secret: String) async throws {
        _ = try await self.pool.query("DELETE FROM web_sessions WHERE secret_hash = \(SHA256.digest(of: Data(secret.utf8)))")
    }

    /// A session acts with what a write-scoped token of the member could do (admin scope for administrators), so the
    /// pages enforce exactly the API's rules.
    private static func identity(_ member: Member, expiresAt: Date, now: Date, connection: Connection) throws -> TokenStore.Identity {
        let token = try APIToken(
            memberID: member.id, name: "web session", prefix: "session", scope: member.isAdmin ? .admin : .write, createdAt: now,
            expiresAt: expiresAt)
        return TokenStore.Identity(token: token, member: member, roles: try TokenStore.roles(of: member.id, on: now, connection: connection))
    }

    /// Runs CPU-heavy work (PBKDF2) on a Dispatch thread, not a cooperative-pool thread the server needs for requests.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(returning: work()) }
        }
    }
}
