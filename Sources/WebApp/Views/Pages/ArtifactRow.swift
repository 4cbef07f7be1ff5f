import Domain
import Foundation
import Store

/// An artifact as tables on several pages show it.
struct ArtifactRow: Sendable {
    let id: String
    let title: String
    let slug: String
    let kind: String
    let version: String
    let status: String
    let isDraft: Bool
    let isWithdrawn: Bool
    let groupSlug: String
    let license: String?
    let date: String
    let files: Int
    let size: String

    init(_ listing: ArtifactStore.Listing) {
        let artifact = listing.artifact
        self.id = artifact.id.description
        self.title = artifact.title
        self.slug = artifact.slug
        self.kind = artifact.kind.label
        self.version = artifact.version
        self.status = artifact.status.rawValue
        self.isDraft = artifact.status == .draft
        self.isWithdrawn = artifact.status == .withdrawn
        self.groupSlug = listing.groupSlug
        self.license = artifact.license
        self.date = Format.day(artifact.publishedAt ?? artifact.createdAt)
        self.files = listing.fileCount
        self.size = Format.bytes(listing.totalBytes)
    }
}

extension Artifact.Kind {
    /// The kind as a reader says it.
    var label: String {
        switch self {
        case .modelCard: "model card"
        default: self.rawValue
        }
    }
}
