import Database
public import Foundation

/// Remembers the response to a POST by (caller, Idempotency-Key), so a retry replays it instead of acting twice.
public struct IdempotencyStore: Sendable {
    let pool: DatabasePool

    /// What a key already stands for.
    public enum Claim: Sendable, Equatable {
        /// New key: the caller should act, then `complete`, all inside `exactlyOnce`.
        case claimed
        /// Done before with the same request: replay this.
        case replay(status: Int, headers: [String: String], body: Data)
        /// The key was used before with a different request.
        case mismatch
    }

    /// Claims `key` for `principal` and the request's hash, or says what the key already stands for. Inside
    /// `exactlyOnce`, a request with a key another one is handling waits here until that one commits or rolls back.
    public func claim(principal: String, key: String, requestHash: String) async throws -> Claim {
        try await self.pool.withTransaction { connection in
            // Keys older than a day may be reused; clients retry within minutes. A key without a response was claimed
            // outside one transaction with its work (before `exactlyOnce`) by a request that died: its work may or may
            // not have happened, and holding the key forever would not tell either.
            try connection.query(
                """
                DELETE FROM idempotency_keys
                 WHERE (created_at < now() - interval '1 day' OR status IS NULL) AND principal = \(principal) AND key = \(key)
                """)
            let inserted =
                try connection.query(
                    """
                    INSERT INTO idempotency_keys (principal, key, request_hash) VALUES (\(principal), \(key), \(requestHash))
                    ON CONFLICT (principal, key) DO NOTHING
                    """
                ).affectedRows == 1
            if inserted { return .claimed }
            guard
                let row = try connection.query(
                    "SELECT request_hash, status, headers, body FROM idempotency_keys WHERE principal = \(principal) AND key = \(key)"
                ).first
            else { throw StoreError.corruptRow("idempotency key \(key) vanished between its insert and its read") }
            guard try row.decode("request_hash", as: String.self) == requestHash else { return .mismatch }
            let status = try row.decode("status", as: Int.self)
            return .replay(
                status: status, headers: try row.decode("headers", as: JSONB<[String: String]>.self).value,
                body: try row.decode("body", as: Data?.self) ?? Data())
        }
    }

    /// Stores the response of a claimed key.
    public func complete(principal: String, key: String, status: Int, headers: [String: String], body: Data) async throws {
        try await self.pool.query(
            """
            UPDATE idempotency_keys SET status = \(status), headers = \(JSONB(headers)), body = \(body)
             WHERE principal = \(principal) AND key = \(key)
            """)
    }

    /// Runs `work` (claim, create, complete) as one transaction: a crash or an error anywhere leaves neither the key nor
    /// the record, so a retry with the key does the work once; a concurrent request with the same key waits at its
    /// claim until this one commits, then replays it.
    public func exactlyOnce<R: Sendable>(_ work: () async throws -> R) async throws -> R {
        try await self.pool.withHeldTransaction(work)
    }
}
