import Domain
import Foundation
import Store

/// One artifact: what it is, its card, its files, and — for a checkpoint — how it scored.
struct ArtifactPage: Sendable {
    struct File: Sendable {
        let path: String
        let href: String
        let size: String
        let sha256: String
        let mediaType: String
    }

    struct Field: Sendable {
        let key: String
        let value: String
    }

    let chrome: Chrome
    /// What the catalogue shows of it (title, name, kind, version, status, license, group).
    let artifact: ArtifactRow
    let created: String
    let published: String?
    let descriptionHTML: String
    let hasDescription: Bool
    let metadata: [Field]
    let hasMetadata: Bool
    let files: [File]
    let hasFiles: Bool
    let totalSize: String
    let isCheckpoint: Bool
    let results: [MetricCell]
    let hasResults: Bool
    let runs: [RunRow]
    let hasRuns: Bool
    let actions: ArtifactActions?

    init(
        chrome: Chrome, actions: ArtifactActions?, listing: ArtifactStore.Listing, files: [ArtifactFile], runs: [RunStore.Listing],
        latestResults: [RunStore.ResultListing]
    ) {
        let artifact = listing.artifact
        self.chrome = chrome
        self.actions = actions
        self.artifact = ArtifactRow(listing)
        self.created = Format.time(artifact.createdAt)
        self.published = artifact.publishedAt.map(Format.time)
        self.descriptionHTML = Markdown.html(artifact.description)
        self.hasDescription = !artifact.description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
        self.metadata = artifact.metadata.sorted { $0.key < $1.key }.map { Field(key: $0.key, value: $0.value) }
        self.hasMetadata = !artifact.metadata.isEmpty
        self.files = files.map { file in
            let encoded = file.path.split(separator: "/", omittingEmptySubsequences: false).map {
                $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? String($0)
            }.joined(separator: "/")
            return File(
                path: file.path, href: "/api/v1/artifacts/\(artifact.id)/files/\(encoded)", size: Format.bytes(file.sizeBytes), sha256: file.sha256,
                mediaType: file.mediaType)
        }
        self.hasFiles = !files.isEmpty
        self.totalSize = Format.bytes(files.reduce(0) { $0 + $1.sizeBytes })
        self.isCheckpoint = artifact.kind == .checkpoint
        self.results = latestResults.map(MetricCell.init)
        self.hasResults = !latestResults.isEmpty
        self.runs = runs.map(RunRow.init)
        self.hasRuns = !runs.isEmpty
    }
}
