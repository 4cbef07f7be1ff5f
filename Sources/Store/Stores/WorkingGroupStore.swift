public import Database
public import Domain
public import Foundation

/// Reads and writes working groups and their memberships.
public struct WorkingGroupStore: Sendable {
    let pool: DatabasePool

    /// A group with the counts its landing card shows.
    public struct Summary: Sendable, Hashable {
        public let group: WorkingGroup
        public let memberCount: Int
        public let chairs: [String]
        public let artifactCount: Int
    }

    /// Inserts a group.
    ///
    /// - Throws: `DatabaseError` with `isUniqueViolation` for a taken slug or name.
    public func create(_ group: WorkingGroup) async throws {
        try await self.pool.withConnection { try Self.insert(group, on: $0) }
    }

    /// Inserts on a caller's connection (inside its transaction).
    public static func insert(_ g: WorkingGroup, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO working_groups (id, slug, name, charter, status, created_at)
            VALUES (\(g.id), \(g.slug), \(g.name), \(g.charter), \(g.status.rawValue), \(g.createdAt))
            """)
    }

    /// The group with `slug`, or nil.
    public func find(slug: Slug) async throws -> WorkingGroup? {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT \(query: WorkingGroup.columns) FROM working_groups WHERE slug = \(slug)").first.map(WorkingGroup.init)
        }
    }

    /// Every group with its current member count, chairs and artifact count, by name.
    public func summaries(on date: Date = Date()) async throws -> [Summary] {
        try await self.pool.withConnection { connection in
            try connection.query(Self.summaryQuery(slug: nil, on: date)).rows.map(Self.summary)
        }
    }

    /// One group's summary, or nil: one indexed lookup rather than every group's.
    public func summary(slug: String, on date: Date = Date()) async throws -> Summary? {
        try await self.pool.withConnection { connection in
            try connection.query(Self.summaryQuery(slug: slug, on: date)).first.map(Self.summary)
        }
    }

    private static func summaryQuery(slug: String?, on date: Date) -> SQLQuery {
        """
        SELECT \(query: WorkingGroup.columns),
               (SELECT count(*) FROM memberships m
                 WHERE m.working_group_id = g.id AND daterange(m.started_on, m.ended_on) @> \(date)::date) AS member_count,
               (SELECT coalesce(array_agg(p.name ORDER BY p.name), '{}') FROM memberships m JOIN members p ON p.id = m.member_id
                 WHERE m.working_group_id = g.id AND m.role = 'chair'
                   AND daterange(m.started_on, m.ended_on) @> \(date)::date) AS chairs,
               (SELECT count(*) FROM artifacts a WHERE a.working_group_id = g.id) AS artifact_count
          FROM working_groups g
         WHERE \(slug)::text IS NULL OR g.slug = \(slug)
         ORDER BY g.name
        """
    }

    private static func summary(_ row: SQLRow) throws -> Summary {
        Summary(
            group: try WorkingGroup(row: row), memberCount: try row.decode("member_count"), chairs: try row.decode("chairs"),
            artifactCount: try row.decode("artifact_count"))
    }

    /// Adds a member to a group with a role.
    ///
    /// - Throws: `DatabaseError` with `isExclusionViolation` if the member already has a role there in that period.
    public func addMembership(_ membership: Membership) async throws {
        try await self.pool.withConnection { try Self.insert(membership, on: $0) }
    }

    /// Inserts on a caller's connection (inside its transaction).
    public static func insert(_ m: Membership, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO memberships (id, member_id, working_group_id, role, started_on, ended_on)
            VALUES (\(m.id), \(m.memberID), \(m.workingGroupID), \(m.role.rawValue), \(m.period.start), \(m.period.end))
            """)
    }

    /// Current members of a group with their roles, chairs first.
    public func roster(of groupID: Identifier<WorkingGroup>, on date: Date = Date()) async throws -> [(member: Member, role: Membership.Role)] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT p.id, p.name, p.email, p.orcid, p.country, p.is_admin, p.created_at, m.role
                  FROM memberships m JOIN members p ON p.id = m.member_id
                 WHERE m.working_group_id = \(groupID) AND daterange(m.started_on, m.ended_on) @> \(date)::date
                 ORDER BY CASE m.role WHEN 'chair' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, p.name
                """
            ).rows.map { (try Member(row: $0), try $0.enumValue("role")) }
        }
    }
}
