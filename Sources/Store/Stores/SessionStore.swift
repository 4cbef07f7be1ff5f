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
        /// Too many passwords being checked at this moment (each costs a core for a fraction of a second).
        case busy
    }

    /// Sets a member's password (an administrator's action, audited). At least 10 characters, at most 1,000.
    public func setPassword(email: EmailAddress, password: String, actor: Actor) async throws {
        guard (10...1000).contains(password.count) else {
            throw DomainValidationError(field: "password", message: "must be 10 to 1000 characters long")
        }
        let hash = await OffPool.run { PasswordHash.make(password) }
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
    ///
    /// The attempt is counted, as a failure, before the password is checked, under a lock per address and per client:
    /// requests sent at once cannot each see "fewer than five failures" and all guess.
    public func signIn(email: String, password: String, client: String, now: Date = Date()) async throws -> SignIn {
        // Cut by Unicode scalars, as PostgreSQL's length() counts, so the table's CHECK always holds.
        let email = Self.prefix(email.trimmingCharacters(in: .whitespacesAndNewlines), 320)
        let client = Self.prefix(client, 100)
        let since = now.addingTimeInterval(-Self.window)
        guard await PasswordGate.shared.enter() else { return .busy }
        do {
            let outcome = try await self.checkedSignIn(email: email, password: password, client: client, since: since, now: now)
            await PasswordGate.shared.leave()
            return outcome
        } catch {
            await PasswordGate.shared.leave()
            throw error
        }
    }

    private func checkedSignIn(email: String, password: String, client: String, since: Date, now: Date) async throws -> SignIn {
        let counted: Counted = try await self.pool.withTransaction { c in
            try c.query("SELECT pg_advisory_xact_lock(hashtext('sign-in email ' || lower(\(email))))")
            try c.query("SELECT pg_advisory_xact_lock(hashtext('sign-in client ' || \(client)))")
            let counts = try c.query(
                """
                SELECT count(*) FILTER (WHERE lower(email) = lower(\(email))) AS by_email, count(*) FILTER (WHERE client = \(client)) AS by_client,
                       min(attempted_at) FILTER (WHERE lower(email) = lower(\(email))) AS oldest_email,
                       min(attempted_at) FILTER (WHERE client = \(client)) AS oldest_client
                  FROM sign_in_attempts
                 WHERE NOT succeeded AND attempted_at > \(since) AND (lower(email) = lower(\(email)) OR client = \(client))
                """
            ).first
            let byEmail: Int = try counts?.decode("by_email") ?? 0
            let byClient: Int = try counts?.decode("by_client") ?? 0
            if byEmail >= Self.maxFailuresPerEmail || byClient >= Self.maxFailuresPerClient {
                // The lock lifts when the oldest failure that keeps it leaves the window.
                let oldest: Date? = byEmail >= Self.maxFailuresPerEmail ? try counts?.decode("oldest_email") : try counts?.decode("oldest_client")
                return .throttled((oldest ?? now).addingTimeInterval(Self.window).timeIntervalSince(now))
            }
            // Old attempts and dead sessions go here, where sign-in writes anyway (the window only looks back 15 minutes).
            try c.query("DELETE FROM sign_in_attempts WHERE attempted_at < \(now.addingTimeInterval(-86_400))")
            try c.query(
                "DELETE FROM web_sessions WHERE expires_at < \(now) OR last_seen_at < \(now.addingTimeInterval(-Self.idleTimeout))")
            guard
                let inserted = try c.query(
                    "INSERT INTO sign_in_attempts (email, client, succeeded, attempted_at) VALUES (\(email), \(client), false, \(now)) RETURNING id"
                ).first
            else { throw StoreError.corruptRow("INSERT … RETURNING gave no row") }
            let attempt: Int64 = try inserted.decode(at: 0)
            let member = try c.query("SELECT \(query: Member.columns), password_hash FROM members WHERE lower(email) = lower(\(email))").first
                .map { (try Member(row: $0), try $0.decode("password_hash", as: String?.self)) }
            return .counted(attempt: attempt, member: member?.0, hash: member?.1)
        }
        guard case .counted(let attempt, let member, let stored) = counted else {
            if case .throttled(let seconds) = counted { return .throttled(retryAfter: max(1, Int(seconds.rounded(.up)))) }
            return .refused
        }
        // An unknown address costs the same time as a known one, so timing does not tell which addresses exist (the
        // decoy hash is made on first use, off the pool too).
        let matches = await OffPool.run { PasswordHash.verify(password, against: stored ?? PasswordHash.decoy) } && stored != nil
        guard matches, let member else { return .refused }
        return try await self.pool.withTransaction { connection in
            try connection.query("UPDATE sign_in_attempts SET succeeded = true WHERE id = \(attempt)")
            let secret = SecureRandom.token(bits: 256)
            let csrf = SecureRandom.token(bits: 192)
            try connection.query(
                """
                INSERT INTO web_sessions (secret_hash, member_id, csrf_token, created_at, last_seen_at, expires_at)
                VALUES (\(SHA256.digest(of: Data(secret.utf8))), \(member.id), \(csrf), \(now), \(now), \(now.addingTimeInterval(Self.lifetime)))
                """)
            let identity = try Self.identity(member, expiresAt: now.addingTimeInterval(Self.lifetime), now: now, connection: connection)
            return .signedIn(secret: secret, session: Session(identity: identity, csrfToken: csrf))
        }
    }

    /// What the counting step of a sign-in found.
    private enum Counted: Sendable {
        case throttled(TimeInterval)
        case counted(attempt: Int64, member: Member?, hash: String?)
    }

    private static func prefix(_ text: String, _ scalars: Int) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(scalars)))
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
}
