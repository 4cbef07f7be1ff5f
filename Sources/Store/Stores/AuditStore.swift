public import Database
public import Domain
import Foundation

/// Appends to and reads the audit log.
public struct AuditStore: Sendable {
    let pool: DatabasePool

    /// Appends an entry on the caller's connection, so it commits or rolls back with the write it describes.
    public static func record(_ entry: AuditEntry, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO audit_log (actor_id, actor_name, token_id, action, entity_type, entity_id, before, after, reason, at)
            VALUES (\(entry.actorID), \(entry.actorName), \(entry.tokenID), \(entry.action), \(entry.entityType), \(entry.entityID),
                    \(entry.before)::jsonb, \(entry.after)::jsonb, \(entry.reason), \(entry.at))
            """)
    }

    /// Entries older than `beforeID` (exclusive), newest first, optionally for one entity type or entity.
    public func page(beforeID: Int64?, entityType: String?, entityID: String?, limit: Int) async throws -> [AuditEntry] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT id, actor_id, actor_name, token_id, action, entity_type, entity_id, before::text AS before, after::text AS after,
                       reason, at
                  FROM audit_log
                 WHERE (\(beforeID)::int8 IS NULL OR id < \(beforeID))
                   AND (\(entityType)::text IS NULL OR entity_type = \(entityType))
                   AND (\(entityID)::text IS NULL OR entity_id = \(entityID))
                 ORDER BY id DESC LIMIT \(limit)
                """
            ).rows.map(Self.entry)
        }
    }

    /// The newest entries for one entity, newest first.
    public func entries(entityType: String, entityID: String, limit: Int = 100) async throws -> [AuditEntry] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT id, actor_id, actor_name, token_id, action, entity_type, entity_id, before::text AS before, after::text AS after,
                       reason, at
                  FROM audit_log WHERE entity_type = \(entityType) AND entity_id = \(entityID)
                 ORDER BY at DESC, id DESC LIMIT \(limit)
                """
            ).rows.map(Self.entry)
        }
    }

    static func entry(_ row: SQLRow) throws -> AuditEntry {
        var entry = try AuditEntry(
            actorID: try row.optionalID("actor_id"), actorName: try row.decode("actor_name"), tokenID: try row.optionalID("token_id"),
            action: try row.decode("action"), entityType: try row.decode("entity_type"), entityID: try row.decode("entity_id"),
            before: try row.decode("before"), after: try row.decode("after"), reason: try row.decode("reason"), at: try row.decode("at"))
        entry.id = try row.decode("id")
        return entry
    }

    /// A record as JSON text for the log's before/after columns (keys sorted, dates ISO-8601).
    public static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
