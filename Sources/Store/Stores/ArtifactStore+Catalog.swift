import Database
public import Domain
import Foundation

extension ArtifactStore {
    /// An artifact as listings show it: with its group's slug, file count and total size.
    public struct Listing: Sendable, Hashable {
        public let artifact: Artifact
        public let groupSlug: String
        public let fileCount: Int
        public let totalBytes: Int64
        /// Creation time in microseconds since 1970 (with the id, the keyset cursor of listings).
        public let position: Int64
    }

    /// Who is looking: drafts are visible to administrators and to members of the artifact's group only.
    public struct Viewer: Sendable, Hashable {
        public let isAdmin: Bool
        /// Slugs of the groups the viewer belongs to.
        public let groups: [String]

        public init(isAdmin: Bool, groups: [String]) {
            self.isAdmin = isAdmin
            self.groups = groups
        }

        /// Someone not signed in.
        public static let anonymous = Viewer(isAdmin: false, groups: [])

        /// Whether the viewer may see this artifact.
        public func canSee(_ listing: Listing) -> Bool {
            listing.artifact.status != .draft || self.isAdmin || self.groups.contains(listing.groupSlug)
        }
    }

    /// Filters of `page`.
    public struct Filter: Sendable, Hashable {
        public var group: String?
        public var kind: Artifact.Kind?
        public var status: Artifact.Status?
        /// A fragment of the title or name, matched literally and without regard to case.
        public var text: String?

        public init(group: String? = nil, kind: Artifact.Kind? = nil, status: Artifact.Status? = nil, text: String? = nil) {
            self.group = group
            self.kind = kind
            self.status = status
            self.text = text
        }
    }

    static let listingColumns: SQLQuery = """
        a.id, a.working_group_id, a.kind, a.slug, a.version, a.title, a.description, a.license, a.status, a.metadata,
        a.created_by, a.created_at, a.published_at, g.slug AS group_slug,
        (extract(epoch FROM a.created_at) * 1000000)::int8 AS position,
        (SELECT count(*) FROM artifact_files f WHERE f.artifact_id = a.id)::int8 AS file_count,
        (SELECT coalesce(sum(f.size_bytes), 0) FROM artifact_files f WHERE f.artifact_id = a.id)::int8 AS total_bytes
        """

    static func listing(_ row: SQLRow) throws -> Listing {
        Listing(
            artifact: try Artifact(row: row), groupSlug: try row.decode("group_slug"), fileCount: Int(try row.decode("file_count", as: Int64.self)),
            totalBytes: try row.decode("total_bytes"), position: try row.decode("position"))
    }

    /// Newest first, at most `limit`, after the keyset position `after` (from a previous page's last listing).
    ///
    /// Keyset pagination on (created_at, id): rows inserted while a client pages land before its cursor, so pages
    /// never repeat or skip what existed when paging began.
    public func page(
        _ filter: Filter, viewer: Viewer, after: (position: Int64, id: Identifier<Artifact>)?, limit: Int
    ) async throws -> [Listing] {
        let text = filter.text.flatMap { $0.isEmpty ? nil : "%" + SiteStore.escapeLike($0) + "%" }
        return try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(query: Self.listingColumns)
                  FROM artifacts a JOIN working_groups g ON g.id = a.working_group_id
                 WHERE (\(filter.group)::text IS NULL OR g.slug = \(filter.group))
                   AND (\(text)::text IS NULL OR a.title ILIKE \(text) OR a.slug ILIKE \(text))
                   AND (\(filter.kind?.rawValue)::text IS NULL OR a.kind = \(filter.kind?.rawValue))
                   AND (\(filter.status?.rawValue)::text IS NULL OR a.status = \(filter.status?.rawValue))
                   AND (a.status <> 'draft' OR \(viewer.isAdmin) OR g.slug = ANY(\(viewer.groups)::text[]))
                   AND (\(after?.position)::int8 IS NULL
                        OR (a.created_at, a.id) < (timestamptz 'epoch' + \(after?.position)::int8 * interval '1 microsecond', \(after?.id)::uuid))
                 ORDER BY a.created_at DESC, a.id DESC
                 LIMIT \(limit)
                """
            ).rows.map(Self.listing)
        }
    }

    /// One artifact with its group's slug, or nil.
    public func find(_ id: Identifier<Artifact>) async throws -> Listing? {
        try await self.pool.withConnection { connection in try Self.find(id, on: connection, lock: false) }
    }

    static func find(_ id: Identifier<Artifact>, on connection: Connection, lock: Bool) throws -> Listing? {
        let lockClause: SQLQuery = lock ? "FOR UPDATE OF a" : ""
        return try connection.query(
            """
            SELECT \(query: Self.listingColumns)
              FROM artifacts a JOIN working_groups g ON g.id = a.working_group_id
             WHERE a.id = \(id) \(query: lockClause)
            """
        ).first.map(Self.listing)
    }

    /// One file of an artifact by path, or nil.
    public func file(of artifact: Identifier<Artifact>, path: String) async throws -> ArtifactFile? {
        try await self.pool.withConnection { connection in
            try connection.query(
                "SELECT \(query: ArtifactFile.columns) FROM artifact_files WHERE artifact_id = \(artifact) AND path = \(path)"
            ).first.map { try ArtifactFile(row: $0) }
        }
    }
}
