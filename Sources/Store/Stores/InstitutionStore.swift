public import Database
public import Domain

/// Reads and writes institutions.
public struct InstitutionStore: Sendable {
    let pool: DatabasePool

    /// Inserts an institution.
    ///
    /// - Throws: `DatabaseError` with `isUniqueViolation` for a taken slug or ROR id.
    public func create(_ institution: Institution) async throws {
        try await self.pool.withConnection { try Self.insert(institution, on: $0) }
    }

    /// Inserts on a caller's connection (inside its transaction).
    public static func insert(_ i: Institution, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO institutions (id, slug, name, country, ror_id, kind, website, created_at)
            VALUES (\(i.id), \(i.slug), \(i.name), \(i.country), \(i.rorID), \(i.kind.rawValue), \(i.website), \(i.createdAt))
            """)
    }

    /// The institution with `slug`, or nil.
    public func find(slug: Slug) async throws -> Institution? {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT \(query: Institution.columns) FROM institutions WHERE slug = \(slug)").first.map(Institution.init)
        }
    }

    /// All institutions, by name.
    public func list() async throws -> [Institution] {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT \(query: Institution.columns) FROM institutions ORDER BY name, id").rows.map(Institution.init)
        }
    }

    /// How many institutions there are, and in how many countries.
    public func counts() async throws -> (institutions: Int, countries: Int) {
        try await self.pool.withConnection { connection in
            let row = try connection.query("SELECT count(*) AS n, count(DISTINCT country) AS c FROM institutions").first
            return (try row?.decode("n") ?? 0, try row?.decode("c") ?? 0)
        }
    }
}
