import Domain
import Foundation
import Store

/// The artifact catalogue, filtered by kind, group and a title fragment.
struct ArtifactIndexPage: Sendable {
    let chrome: Chrome
    let query: String
    let kinds: [MemberIndexPage.Option]
    let groups: [MemberIndexPage.Option]
    let artifacts: [ArtifactRow]
    let hasArtifacts: Bool
    let count: Int
    let next: String?

    init(
        chrome: Chrome, query: String, kind: String, group: String, listings: [ArtifactStore.Listing], groups: [WorkingGroupStore.Summary],
        next: String?
    ) {
        self.chrome = chrome
        self.query = query
        self.kinds = Artifact.Kind.allCases.map { MemberIndexPage.Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == kind) }
        self.groups = groups.map {
            MemberIndexPage.Option(value: $0.group.slug.rawValue, label: $0.group.name, selected: $0.group.slug.rawValue == group)
        }
        self.artifacts = listings.map(ArtifactRow.init)
        self.hasArtifacts = !listings.isEmpty
        self.count = listings.count
        self.next = next
    }
}
