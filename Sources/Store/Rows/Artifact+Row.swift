import Database
import Domain
import Foundation

extension Artifact {
    static let columns: SQLQuery = """
        id, working_group_id, kind, slug, version, title, description, license, status, metadata, created_by, created_at, published_at
        """

    init(row: SQLRow) throws {
        try self.init(
            id: try row.id("id"), workingGroupID: try row.id("working_group_id"), kind: try row.enumValue("kind"), slug: try row.decode("slug"),
            version: try row.decode("version"), title: try row.decode("title"), description: try row.decode("description"),
            license: try row.decode("license"), status: try row.enumValue("status"),
            metadata: try row.decode("metadata", as: JSONB<[String: String]>.self).value, createdBy: try row.optionalID("created_by"),
            createdAt: try row.decode("created_at"), publishedAt: try row.decode("published_at"))
    }
}

extension ArtifactFile {
    static let columns: SQLQuery = "id, artifact_id, path, sha256, size_bytes, media_type, created_at"

    init(row: SQLRow) throws {
        try self.init(
            id: try row.id("id"), artifactID: try row.id("artifact_id"), path: try row.decode("path"), sha256: try row.decode("sha256"),
            sizeBytes: try row.decode("size_bytes"), mediaType: try row.decode("media_type"), createdAt: try row.decode("created_at"))
    }
}
