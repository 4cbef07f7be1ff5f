import Database
public import Domain
import Foundation

extension ArtifactStore {
    /// Checked with the artifact locked, before a write: the API's `If-Match` comparison lives here.
    public typealias Precondition = @Sendable ((listing: Listing, files: [ArtifactFile])) throws -> Void

    /// What may change on a draft.
    public struct Changes: Sendable, Hashable {
        public var title: String?
        public var description: String?
        /// `.some(nil)` clears the license.
        public var license: String??
        public var metadata: [String: String]?

        public init(title: String? = nil, description: String? = nil, license: String?? = nil, metadata: [String: String]? = nil) {
            self.title = title
            self.description = description
            self.license = license
            self.metadata = metadata
        }
    }

    /// Registers a new draft, audited in the same transaction.
    ///
    /// - Throws: `StoreError.conflict` when the group already has this slug and version.
    public func register(_ artifact: Artifact, actor: Actor) async throws -> Listing {
        try await self.pool.withTransaction { connection in
            do {
                try Self.insert(artifact, on: connection)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw StoreError.conflict("the group already has \(artifact.slug) version \(artifact.version); publish changes as a new version")
            }
            try Self.audit("artifact.register", artifact.id, before: Artifact?.none, after: artifact, actor: actor, on: connection)
            return try Self.require(artifact.id, on: connection, lock: false)
        }
    }

    /// Edits a draft's description fields.
    public func update(_ id: Identifier<Artifact>, _ changes: Changes, precondition: Precondition?, actor: Actor) async throws -> Listing {
        try await self.pool.withTransaction { connection in
            let before = try Self.lockedDraft(id, precondition: precondition, verb: "edited", on: connection)
            var artifact = before.artifact
            if let title = changes.title { artifact.title = try Text.required(title, field: "title", maxLength: 300) }
            if let description = changes.description {
                artifact.description = try Text.optional(description, field: "description", maxLength: 100_000)
            }
            if let license = changes.license { artifact.license = license }
            if let metadata = changes.metadata { artifact.metadata = metadata }
            // Re-run the record's own validation (license syntax) on the edited copy.
            artifact = try Artifact(
                id: artifact.id, workingGroupID: artifact.workingGroupID, kind: artifact.kind, slug: artifact.slug, version: artifact.version,
                title: artifact.title, description: artifact.description, license: artifact.license, status: artifact.status,
                metadata: artifact.metadata, createdBy: artifact.createdBy, createdAt: artifact.createdAt, publishedAt: artifact.publishedAt)
            try connection.query(
                """
                UPDATE artifacts SET title = \(artifact.title), description = \(artifact.description), license = \(artifact.license),
                                     metadata = \(JSONB(artifact.metadata))
                 WHERE id = \(id)
                """)
            try Self.audit("artifact.update", id, before: before.artifact, after: artifact, actor: actor, on: connection)
            return try Self.require(id, on: connection, lock: false)
        }
    }

    /// Publishes a draft that has at least one file; from then on it is immutable. A checkpoint is queued for evaluation
    /// by its group's on-new-checkpoint schedules in the same transaction.
    public func publish(_ id: Identifier<Artifact>, precondition: Precondition?, actor: Actor) async throws -> Listing {
        try await self.pool.withTransaction { connection in
            let before = try Self.lockedDraft(id, precondition: precondition, verb: "published again", on: connection)
            guard before.fileCount > 0 else { throw StoreError.conflict("an artifact needs at least one file before it is published") }
            try connection.query("UPDATE artifacts SET status = 'published', published_at = now() WHERE id = \(id)")
            let after = try Self.require(id, on: connection, lock: false)
            try Self.audit("artifact.publish", id, before: before.artifact, after: after.artifact, actor: actor, on: connection)
            if after.artifact.kind == .checkpoint {
                try ScheduleStore.queueForNewCheckpoint(id, group: after.artifact.workingGroupID, on: connection)
            }
            return after
        }
    }

    /// Withdraws a published artifact (it stays readable, marked withdrawn, so past results remain reproducible).
    public func withdraw(_ id: Identifier<Artifact>, reason: String, precondition: Precondition?, actor: Actor) async throws -> Listing {
        let reason = try Text.required(reason, field: "reason", maxLength: 2000)
        return try await self.pool.withTransaction { connection in
            let before = try Self.locked(id, precondition: precondition, on: connection)
            guard before.artifact.status == .published else {
                throw StoreError.conflict("only a published artifact can be withdrawn (this one is \(before.artifact.status.rawValue))")
            }
            try connection.query("UPDATE artifacts SET status = 'withdrawn' WHERE id = \(id)")
            let after = try Self.require(id, on: connection, lock: false)
            try Self.audit("artifact.withdraw", id, before: before.artifact, after: after.artifact, reason: reason, actor: actor, on: connection)
            return after
        }
    }

    /// Deletes a draft and its file records (stored content stays; other artifacts may share it).
    public func delete(_ id: Identifier<Artifact>, precondition: Precondition?, actor: Actor) async throws {
        try await self.pool.withTransaction { connection in
            let before = try Self.lockedDraft(id, precondition: precondition, verb: "deleted; withdraw it instead", on: connection)
            try connection.query("DELETE FROM artifacts WHERE id = \(id)")
            try Self.audit("artifact.delete", id, before: before.artifact, after: Artifact?.none, actor: actor, on: connection)
        }
    }

    /// Checked with the artifact locked, against the file currently at the path (nil when there is none).
    public typealias FilePrecondition = @Sendable (ArtifactFile?) throws -> Void

    /// Records stored content at `path` of a draft, replacing what was there; returns the file and whether it is new.
    public func putFile(
        _ id: Identifier<Artifact>, path: String, content: StoredContent, mediaType: String, precondition: FilePrecondition? = nil, actor: Actor
    ) async throws -> (file: ArtifactFile, created: Bool) {
        let file = try ArtifactFile(artifactID: id, path: path, sha256: content.sha256, sizeBytes: content.size, mediaType: mediaType)
        return try await self.pool.withTransaction { connection in
            _ = try Self.lockedDraft(id, precondition: nil, verb: "changed; publish a new version instead", on: connection)
            let old = try connection.query("SELECT \(query: ArtifactFile.columns) FROM artifact_files WHERE artifact_id = \(id) AND path = \(path)")
                .first.map { try ArtifactFile(row: $0) }
            try precondition?(old)
            if let old {
                try connection.query(
                    """
                    UPDATE artifact_files SET sha256 = \(file.sha256), size_bytes = \(file.sizeBytes), media_type = \(file.mediaType),
                                              created_at = now()
                     WHERE id = \(old.id)
                    """)
            } else {
                try Self.insert(file, on: connection)
            }
            let stored = try connection.query(
                "SELECT \(query: ArtifactFile.columns) FROM artifact_files WHERE artifact_id = \(id) AND path = \(path)"
            )
            .first.map { try ArtifactFile(row: $0) }
            guard let stored else { throw StoreError.corruptRow("artifact file \(path) vanished inside its transaction") }
            try Self.audit("artifact_file.put", id, before: old, after: stored, actor: actor, on: connection)
            return (stored, old == nil)
        }
    }

    /// Removes a file from a draft.
    public func deleteFile(_ id: Identifier<Artifact>, path: String, precondition: FilePrecondition? = nil, actor: Actor) async throws {
        try await self.pool.withTransaction { connection in
            _ = try Self.lockedDraft(id, precondition: nil, verb: "changed; publish a new version instead", on: connection)
            let current = try connection.query(
                "SELECT \(query: ArtifactFile.columns) FROM artifact_files WHERE artifact_id = \(id) AND path = \(path)"
            ).first.map { try ArtifactFile(row: $0) }
            try precondition?(current)
            let old = try connection.query(
                "DELETE FROM artifact_files WHERE artifact_id = \(id) AND path = \(path) RETURNING \(query: ArtifactFile.columns)"
            ).first.map { try ArtifactFile(row: $0) }
            guard let old else { throw StoreError.notFound("file \(path)") }
            try Self.audit("artifact_file.delete", id, before: old, after: ArtifactFile?.none, actor: actor, on: connection)
        }
    }

    // MARK: Helpers

    private static func require(_ id: Identifier<Artifact>, on connection: Connection, lock: Bool) throws -> Listing {
        guard let listing = try Self.find(id, on: connection, lock: lock) else { throw StoreError.notFound("artifact \(id)") }
        return listing
    }

    private static func locked(_ id: Identifier<Artifact>, precondition: Precondition?, on connection: Connection) throws -> Listing {
        let listing = try Self.require(id, on: connection, lock: true)
        if let precondition {
            let files = try connection.query("SELECT \(query: ArtifactFile.columns) FROM artifact_files WHERE artifact_id = \(id) ORDER BY path")
                .rows.map { try ArtifactFile(row: $0) }
            try precondition((listing, files))
        }
        return listing
    }

    private static func lockedDraft(_ id: Identifier<Artifact>, precondition: Precondition?, verb: String, on connection: Connection) throws
        -> Listing
    {
        let listing = try Self.locked(id, precondition: precondition, on: connection)
        guard listing.artifact.status == .draft else {
            throw StoreError.conflict(
                "artifact \(listing.artifact.slug) version \(listing.artifact.version) is \(listing.artifact.status.rawValue) and cannot be \(verb)")
        }
        return listing
    }

    private static func audit(
        _ action: String, _ id: Identifier<Artifact>, before: (some Encodable)?, after: (some Encodable)?, reason: String? = nil, actor: Actor,
        on connection: Connection
    ) throws {
        var beforeJSON: String?
        var afterJSON: String?
        if let before { beforeJSON = try AuditStore.json(before) }
        if let after { afterJSON = try AuditStore.json(after) }
        try AuditStore.record(
            AuditEntry(
                actorID: actor.memberID, actorName: actor.name, action: action, entityType: "artifact", entityID: id.description,
                before: beforeJSON, after: afterJSON, reason: reason),
            on: connection)
    }
}
