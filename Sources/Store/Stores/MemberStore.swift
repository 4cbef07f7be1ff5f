public import Database
public import Domain

/// Reads and writes members and their affiliations.
public struct MemberStore: Sendable {
    let pool: DatabasePool

    /// Inserts a member.
    ///
    /// - Throws: `DatabaseError` with `isUniqueViolation` for an e-mail (any case) or ORCID already in use.
    public func create(_ member: Member) async throws {
        try await self.pool.withConnection { try Self.insert(member, on: $0) }
    }

    /// Inserts on a caller's connection (inside its transaction).
    public static func insert(_ m: Member, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO members (id, name, email, orcid, country, is_admin, created_at)
            VALUES (\(m.id), \(m.name), \(m.email), \(m.orcid), \(m.country), \(m.isAdmin), \(m.createdAt))
            """)
    }

    /// The member with this e-mail address (case-insensitive), or nil.
    public func find(email: EmailAddress) async throws -> Member? {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT \(query: Member.columns) FROM members WHERE lower(email) = lower(\(email))").first.map(Member.init)
        }
    }

    /// The member with this id, or nil.
    public func find(id: Identifier<Member>) async throws -> Member? {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT \(query: Member.columns) FROM members WHERE id = \(id)").first.map(Member.init)
        }
    }

    /// Records an affiliation.
    ///
    /// - Throws: `DatabaseError` with `isExclusionViolation` when it overlaps one with the same institution.
    public func addAffiliation(_ a: Affiliation) async throws {
        try await self.pool.query(
            """
            INSERT INTO affiliations (id, member_id, institution_id, title, started_on, ended_on)
            VALUES (\(a.id), \(a.memberID), \(a.institutionID), \(a.title), \(a.period.start), \(a.period.end))
            """)
    }

    /// How many members there are.
    public func count() async throws -> Int {
        try await self.pool.query("SELECT count(*) AS n FROM members").first?.decode("n") ?? 0
    }
}
