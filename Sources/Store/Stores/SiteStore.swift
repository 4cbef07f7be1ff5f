import Database
public import Domain
public import Foundation

/// The reads the web pages need beyond the API's: directory searches and a person's or institution's whole record.
public struct SiteStore: Sendable {
    let pool: DatabasePool

    /// A member in a directory listing, with their current institutions and groups by name.
    public struct Person: Sendable, Hashable {
        public let member: Member
        /// Current institutions as (slug, name), by name.
        public let institutions: [(slug: String, name: String)]
        /// Current working groups as (slug, name, role, membership id), by group name.
        public let groups: [(slug: String, name: String, role: String, membership: String)]

        public static func == (a: Person, b: Person) -> Bool { a.member == b.member }
        public func hash(into hasher: inout Hasher) { hasher.combine(self.member) }
    }

    /// What the member directory is filtered by; nil or empty means any.
    public struct PersonFilter: Sendable, Hashable {
        public var name: String?
        public var country: String?
        public var institution: String?
        public var group: String?

        public init(name: String? = nil, country: String? = nil, institution: String? = nil, group: String? = nil) {
            self.name = name
            self.country = country
            self.institution = institution
            self.group = group
        }
    }

    /// Members matching `filter`, by name, `limit` at most after skipping `offset`.
    public func people(_ filter: PersonFilter, offset: Int = 0, limit: Int = 100, on date: Date = Date()) async throws -> [Person] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(query: Self.personColumns(on: date)) FROM members p WHERE \(query: Self.matching(filter, on: date))
                 ORDER BY p.name, p.id OFFSET \(offset) LIMIT \(limit)
                """
            ).rows.map(Self.person)
        }
    }

    /// How many members match `filter`.
    public func peopleCount(_ filter: PersonFilter, on date: Date = Date()) async throws -> Int {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM members p WHERE \(query: Self.matching(filter, on: date))").first?.decode(at: 0) ?? 0
        }
    }

    /// One member, as the directory lists them, or nil.
    public func person(_ id: Identifier<Member>, on date: Date = Date()) async throws -> Person? {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT \(query: Self.personColumns(on: date)) FROM members p WHERE p.id = \(id)").first.map(Self.person)
        }
    }

    /// A member with their current institutions and groups (one tab-separated text per institution and per group, so
    /// each is one subquery and the member one row).
    static func personColumns(on date: Date) -> SQLQuery {
        """
        p.id, p.name, p.email, p.orcid, p.country, p.is_admin, p.created_at,
        coalesce((SELECT array_agg(i.slug || E'\\t' || i.name ORDER BY i.name) FROM affiliations a JOIN institutions i ON i.id = a.institution_id
                   WHERE a.member_id = p.id AND daterange(a.started_on, a.ended_on) @> \(date)::date), '{}') AS institution_rows,
        coalesce((SELECT array_agg(g.slug || E'\\t' || m.role || E'\\t' || m.id || E'\\t' || g.name ORDER BY g.name)
                    FROM memberships m JOIN working_groups g ON g.id = m.working_group_id
                   WHERE m.member_id = p.id AND daterange(m.started_on, m.ended_on) @> \(date)::date), '{}') AS group_rows
        """
    }

    static func matching(_ filter: PersonFilter, on date: Date) -> SQLQuery {
        let name = filter.name.flatMap { $0.isEmpty ? nil : "%" + Self.escapeLike($0) + "%" }
        let country = filter.country.flatMap { $0.isEmpty ? nil : $0.uppercased() }
        let institution = filter.institution.flatMap { $0.isEmpty ? nil : $0 }
        let group = filter.group.flatMap { $0.isEmpty ? nil : $0 }
        return """
            (\(name)::text IS NULL OR p.name ILIKE \(name))
            AND (\(country)::text IS NULL OR p.country = \(country))
            AND (\(institution)::text IS NULL OR EXISTS (
                 SELECT 1 FROM affiliations a JOIN institutions i ON i.id = a.institution_id
                  WHERE a.member_id = p.id AND i.slug = \(institution) AND daterange(a.started_on, a.ended_on) @> \(date)::date))
            AND (\(group)::text IS NULL OR EXISTS (
                 SELECT 1 FROM memberships m JOIN working_groups g ON g.id = m.working_group_id
                  WHERE m.member_id = p.id AND g.slug = \(group) AND daterange(m.started_on, m.ended_on) @> \(date)::date))
            """
    }

    static func person(_ row: SQLRow) throws -> Person {
        let institutions: [String] = try row.decode("institution_rows")
        let groups: [String] = try row.decode("group_rows")
        return Person(
            member: try Member(row: row),
            institutions: institutions.map { line in
                let parts = line.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                return (parts[0], parts.count > 1 ? parts[1] : "")
            },
            groups: groups.map { line in
                let parts = line.split(separator: "\t", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
                // The name, free text that may hold a tab, comes last so that splitting cannot shift the other fields.
                return (parts[0], parts.count > 3 ? parts[3] : "", parts.count > 1 ? parts[1] : "", parts.count > 2 ? parts[2] : "")
            })
    }

    /// A member's whole history: every affiliation and membership, current or past, newest first.
    public func history(of id: Identifier<Member>) async throws -> (
        affiliations: [(slug: String, name: String, title: String?, period: DatePeriod)],
        memberships: [(slug: String, name: String, role: String, period: DatePeriod)]
    ) {
        try await self.pool.withConnection { connection in
            let affiliations = try connection.query(
                """
                SELECT i.slug, i.name, a.title, a.started_on, a.ended_on FROM affiliations a JOIN institutions i ON i.id = a.institution_id
                 WHERE a.member_id = \(id) ORDER BY a.started_on DESC, i.name
                """
            ).rows.map { row in
                (
                    slug: try row.decode("slug", as: String.self), name: try row.decode("name", as: String.self),
                    title: try row.decode("title", as: String?.self), period: try Self.period(row)
                )
            }
            let memberships = try connection.query(
                """
                SELECT g.slug, g.name, m.role, m.started_on, m.ended_on FROM memberships m JOIN working_groups g ON g.id = m.working_group_id
                 WHERE m.member_id = \(id) ORDER BY m.started_on DESC, g.name
                """
            ).rows.map { row in
                (
                    slug: try row.decode("slug", as: String.self), name: try row.decode("name", as: String.self),
                    role: try row.decode("role", as: String.self), period: try Self.period(row)
                )
            }
            return (affiliations, memberships)
        }
    }

    private static func period(_ row: SQLRow) throws -> DatePeriod {
        try DatePeriod(start: try row.decode("started_on"), end: try row.decode("ended_on"))
    }

    /// Members per country (the member's own country, else their current institution's), most first.
    public func countries(on date: Date = Date()) async throws -> [(country: String, members: Int)] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT c, count(*) AS n FROM (
                    SELECT coalesce(p.country, (SELECT i.country FROM affiliations a JOIN institutions i ON i.id = a.institution_id
                                                 WHERE a.member_id = p.id AND daterange(a.started_on, a.ended_on) @> \(date)::date
                                                 ORDER BY a.started_on LIMIT 1)) AS c
                      FROM members p) x
                 WHERE c IS NOT NULL GROUP BY c ORDER BY n DESC, c
                """
            ).rows.map { (try $0.decode("c", as: String.self), try $0.decode("n", as: Int.self)) }
        }
    }

    /// Institutions matching a name fragment and country, by name, with their current member counts.
    public func institutions(name: String?, country: String?, on date: Date = Date()) async throws -> [(institution: Institution, members: Int)] {
        let name = name.flatMap { $0.isEmpty ? nil : "%" + Self.escapeLike($0) + "%" }
        let country = country.flatMap { $0.isEmpty ? nil : $0.uppercased() }
        return try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT i.id, i.slug, i.name, i.country, i.ror_id, i.kind, i.website, i.created_at,
                       (SELECT count(DISTINCT a.member_id) FROM affiliations a
                         WHERE a.institution_id = i.id AND daterange(a.started_on, a.ended_on) @> \(date)::date) AS members
                  FROM institutions i
                 WHERE (\(name)::text IS NULL OR i.name ILIKE \(name)) AND (\(country)::text IS NULL OR i.country = \(country))
                 ORDER BY i.name, i.id
                """
            ).rows.map { (try Institution(row: $0), try $0.decode("members", as: Int.self)) }
        }
    }

    /// A literal fragment for ILIKE: the user's % and _ match themselves.
    static func escapeLike(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}

extension SiteStore {
    /// Artifacts a member registered that `viewer` may see, newest first.
    public func artifacts(createdBy member: Identifier<Member>, viewer: ArtifactStore.Viewer, limit: Int = 100) async throws
        -> [ArtifactStore.Listing]
    {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(query: ArtifactStore.listingColumns)
                  FROM artifacts a JOIN working_groups g ON g.id = a.working_group_id
                 WHERE a.created_by = \(member)
                   AND (a.status <> 'draft' OR \(viewer.isAdmin) OR g.slug = ANY(\(viewer.groups)::text[]))
                 ORDER BY a.created_at DESC, a.id DESC
                 LIMIT \(limit)
                """
            ).rows.map(ArtifactStore.listing)
        }
    }
}
