import Database
public import Domain

/// Paged reads of the consortium's directory (institutions, members, resources) for the API.
public struct DirectoryStore: Sendable {
    let pool: DatabasePool

    /// A member with where they work and which groups they are in now.
    public struct MemberListing: Sendable, Hashable {
        public let member: Member
        public let institutionSlugs: [String]
        public let roles: [String: Membership.Role]
    }

    /// Institutions after `slug` (exclusive), by slug, optionally of one country.
    public func institutions(after slug: String?, country: String?, limit: Int) async throws -> [Institution] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(query: Institution.columns) FROM institutions
                 WHERE (\(slug)::text IS NULL OR slug > \(slug)) AND (\(country)::text IS NULL OR country = upper(\(country)))
                 ORDER BY slug LIMIT \(limit)
                """
            ).rows.map { try Institution(row: $0) }
        }
    }

    /// Members after `id` (exclusive), by id, optionally of one working group (current members only).
    public func members(after id: Identifier<Member>?, group: String?, limit: Int) async throws -> [MemberListing] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT p.id, p.name, p.email, p.orcid, p.country, p.is_admin, p.created_at,
                       coalesce((SELECT array_agg(i.slug ORDER BY i.slug) FROM affiliations a JOIN institutions i ON i.id = a.institution_id
                                  WHERE a.member_id = p.id AND a.ended_on IS NULL), '{}') AS institutions,
                       coalesce((SELECT array_agg(g.slug ORDER BY g.slug) FROM memberships m JOIN working_groups g ON g.id = m.working_group_id
                                  WHERE m.member_id = p.id AND daterange(m.started_on, m.ended_on) @> current_date), '{}') AS group_slugs,
                       coalesce((SELECT array_agg(m.role ORDER BY g.slug) FROM memberships m JOIN working_groups g ON g.id = m.working_group_id
                                  WHERE m.member_id = p.id AND daterange(m.started_on, m.ended_on) @> current_date), '{}') AS group_roles
                  FROM members p
                 WHERE (\(id)::uuid IS NULL OR p.id > \(id))
                   AND (\(group)::text IS NULL OR EXISTS (
                        SELECT 1 FROM memberships m JOIN working_groups g ON g.id = m.working_group_id
                         WHERE m.member_id = p.id AND g.slug = \(group) AND daterange(m.started_on, m.ended_on) @> current_date))
                 ORDER BY p.id LIMIT \(limit)
                """
            ).rows.map { row in
                let slugs: [String] = try row.decode("group_slugs")
                let roles: [String] = try row.decode("group_roles")
                var byGroup: [String: Membership.Role] = [:]
                for (slug, role) in zip(slugs, roles) { byGroup[slug] = Membership.Role(rawValue: role) }
                return MemberListing(member: try Member(row: row), institutionSlugs: try row.decode("institutions"), roles: byGroup)
            }
        }
    }

    /// Every compute resource, by slug.
    public func resources() async throws -> [ComputeResource] {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT \(query: ComputeResource.columns) FROM compute_resources ORDER BY slug").rows.map {
                try ComputeResource(row: $0)
            }
        }
    }
}
