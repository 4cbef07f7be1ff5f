public import Database
public import Domain

/// Reads and writes artifacts and their file records.
public struct ArtifactStore: Sendable {
    let pool: DatabasePool

    /// Inserts an artifact with its files, in one transaction.
    ///
    /// - Throws: `DatabaseError` with `isUniqueViolation` when the group already has this slug and version.
    public func create(_ artifact: Artifact, files: [ArtifactFile] = []) async throws {
        try await self.pool.withTransaction { connection in
            try Self.insert(artifact, on: connection)
            for file in files { try Self.insert(file, on: connection) }
        }
    }

    /// Inserts on a caller's connection (inside its transaction).
    public static func insert(_ a: Artifact, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO artifacts (id, working_group_id, kind, slug, version, title, description, license, status, metadata,
                                   created_by, created_at, published_at)
            VALUES (\(a.id), \(a.workingGroupID), \(a.kind.rawValue), \(a.slug), \(a.version), \(a.title), \(a.description),
                    \(a.license), \(a.status.rawValue), \(JSONB(a.metadata)), \(a.createdBy), \(a.createdAt), \(a.publishedAt))
            """)
    }

    /// Inserts a file record on a caller's connection.
    public static func insert(_ f: ArtifactFile, on connection: Connection) throws {
        try connection.query(
            """
            INSERT INTO artifact_files (id, artifact_id, path, sha256, size_bytes, media_type, created_at)
            VALUES (\(f.id), \(f.artifactID), \(f.path), \(f.sha256), \(f.sizeBytes), \(f.mediaType), \(f.createdAt))
            """)
    }

    /// A group's artifacts, newest first, optionally of one kind.
    public func list(group: Identifier<WorkingGroup>, kind: Artifact.Kind? = nil) async throws -> [Artifact] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(query: Artifact.columns) FROM artifacts
                 WHERE working_group_id = \(group) AND (\(kind?.rawValue)::text IS NULL OR kind = \(kind?.rawValue))
                 ORDER BY created_at DESC, id
                """
            ).rows.map { try Artifact(row: $0) }
        }
    }

    /// The files of an artifact, by path.
    public func files(of artifact: Identifier<Artifact>) async throws -> [ArtifactFile] {
        try await self.pool.withConnection { connection in
            try connection.query("SELECT \(query: ArtifactFile.columns) FROM artifact_files WHERE artifact_id = \(artifact) ORDER BY path")
                .rows.map { try ArtifactFile(row: $0) }
        }
    }
}
