import Domain
import Foundation
import Store

/// An artifact as the API shows it; `files` only on the single-artifact view.
struct ArtifactDTO: Encodable {
    struct FileDTO: Encodable {
        let path: String
        let sha256: String
        let sizeBytes: Int64
        let mediaType: String
        let createdAt: Date
        let url: String

        init(_ file: ArtifactFile) {
            self.path = file.path
            self.sha256 = file.sha256
            self.sizeBytes = file.sizeBytes
            self.mediaType = file.mediaType
            self.createdAt = file.createdAt
            self.url = "/api/v1/artifacts/\(file.artifactID)/files/\(ArtifactDTO.escape(path: file.path))"
        }
    }

    let id: String
    let workingGroup: String
    let kind: String
    let slug: String
    let version: String
    let title: String
    let description: String
    let license: String?
    let status: String
    let metadata: [String: String]
    let createdBy: String?
    let createdAt: Date
    let publishedAt: Date?
    let fileCount: Int
    let totalBytes: Int64
    let url: String
    let files: [FileDTO]?

    init(_ listing: ArtifactStore.Listing, files: [ArtifactFile]? = nil) {
        let a = listing.artifact
        self.id = a.id.description
        self.workingGroup = listing.groupSlug
        self.kind = a.kind.rawValue
        self.slug = a.slug
        self.version = a.version
        self.title = a.title
        self.description = a.description
        self.license = a.license
        self.status = a.status.rawValue
        self.metadata = a.metadata
        self.createdBy = a.createdBy?.description
        self.createdAt = a.createdAt
        self.publishedAt = a.publishedAt
        self.fileCount = listing.fileCount
        self.totalBytes = listing.totalBytes
        self.url = "/api/v1/artifacts/\(a.id)"
        self.files = files?.map(FileDTO.init)
    }

    /// Percent-escapes each segment of a file path for use in a URL.
    static func escape(path: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#%;")
        return path.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }.joined(separator: "/")
    }
}
