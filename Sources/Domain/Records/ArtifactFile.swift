public import Foundation

/// One file of an artifact, addressed by content (SHA-256).
public struct ArtifactFile: Hashable, Sendable, Codable, Identifiable {
    public let id: Identifier<ArtifactFile>
    public var artifactID: Identifier<Artifact>
    /// Relative path inside the artifact (`config.json`, `shards/model-00001-of-00002.safetensors`).
    public var path: String
    /// Lowercase hex SHA-256 of the content.
    public var sha256: String
    public var sizeBytes: Int64
    public var mediaType: String
    public var createdAt: Date

    /// Creates a file record after checking the path and digest.
    public init(
        id: Identifier<ArtifactFile> = .init(), artifactID: Identifier<Artifact>, path: String, sha256: String, sizeBytes: Int64,
        mediaType: String = "application/octet-stream", createdAt: Date = Date()
    ) throws(DomainValidationError) {
        try Self.validate(path: path)
        guard Self.isSHA256(sha256) else {
            throw DomainValidationError(field: "sha256", message: "must be 64 lowercase hex digits")
        }
        guard sizeBytes >= 0 else { throw DomainValidationError(field: "size_bytes", message: "must not be negative") }
        self.id = id
        self.artifactID = artifactID
        self.path = path
        self.sha256 = sha256
        self.sizeBytes = sizeBytes
        self.mediaType = mediaType
        self.createdAt = createdAt
    }

    /// Whether `text` is a SHA-256 as stored: 64 lowercase hex digits.
    public static func isSHA256(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Refuses paths that could escape the artifact or confuse a file system: absolute paths, empty,
    /// `.` or `..` segments, backslashes, and control characters.
    public static func validate(path: String) throws(DomainValidationError) {
        func fail(_ why: String) -> DomainValidationError { DomainValidationError(field: "path", message: why) }
        guard !path.isEmpty, path.utf8.count <= 500 else { throw fail("must be 1 to 500 bytes") }
        guard !path.hasPrefix("/") else { throw fail("must be relative, not start with /") }
        guard !path.contains("\\") else { throw fail("must not contain a backslash") }
        guard !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw fail("must not contain control characters")
        }
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            guard !segment.isEmpty, segment != ".", segment != ".." else {
                throw fail("must not contain empty, '.' or '..' segments")
            }
        }
    }
}
