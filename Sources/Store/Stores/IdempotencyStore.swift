import Database
public import Foundation

/// Remembers the response to a POST by (caller, Idempotency-Key), so a retry replays it instead of acting twice.
public struct IdempotencyStore: Sendable {
    let pool: DatabasePool

    /// What a key already stands for.
    public enum Claim: Sendable, Equatable {
        /// New key: the caller should act, then `complete` (or `release` on failure).
        case claimed
        /// Done before with the same request: replay this.
        case replay(status: Int, headers: [String: String], body: Data)
        /// The same key is still being handled by another request.
        case inProgress
        /// The key was used before with a different request.
        case mismatch
    }

    /// Claims `key` for `principal` and the request's hash, or says what the key already stands for.
    public func claim(principal: String, key: String, requestHash: String) async throws -> Claim {
        try await self.pool.withTransaction { connection in
            // Keys older than a day may be reused; clients retry within minutes.
            try connection.query(
                "DELETE FROM idempotency_keys WHERE created_at < now() - interval '1 day' AND principal = \(principal) AND key = \(key)")
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
            else { return .inProgress }
            guard try row.decode("request_hash", as: String.self) == requestHash else { return .mismatch }
            guard let status = try row.decode("status", as: Int?.self) else { return .inProgress }
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

    /// Forgets a claimed key whose request failed, so the client may retry it.
    public func release(principal: String, key: String) async throws {
        try await self.pool.query("DELETE FROM idempotency_keys WHERE principal = \(principal) AND key = \(key) AND status IS NULL")
    }
}
