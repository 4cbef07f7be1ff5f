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

/// An evaluation run as tables show it.
struct RunRow: Sendable {
    let id: String
    let shortID: String
    let status: String
    let statusClass: String
    let groupSlug: String
    let checkpoint: String
    let checkpointID: String
    let suite: String
    let queued: String
    let finished: String?

    init(_ listing: RunStore.Listing) {
        self.id = listing.run.id.description
        self.shortID = String(listing.run.id.description.prefix(8))
        self.status = listing.run.status.rawValue
        self.statusClass = "status-\(listing.run.status.rawValue)"
        self.groupSlug = listing.groupSlug
        self.checkpoint = "\(listing.checkpointSlug) v\(listing.checkpointVersion)"
        self.checkpointID = listing.run.checkpointID.description
        self.suite = listing.suiteSlug
        self.queued = Format.time(listing.run.queuedAt)
        self.finished = listing.run.finishedAt.map(Format.time)
    }
}

/// A member as tables show them: e-mail only for signed-in viewers.
struct PersonRow: Sendable {
    struct Place: Sendable {
        let slug: String
        let name: String
        let last: Bool
    }

    let id: String
    let name: String
    let email: String?
    let country: String?
    let role: String?
    let isChair: Bool
    let institutions: [Place]
    /// The membership in the group whose page lists them (for a chair's "remove" button).
    let membershipID: String?

    init(_ person: SiteStore.Person, group: String? = nil, showEmail: Bool) {
        let membership = group.flatMap { slug in person.groups.first { $0.slug == slug } }
        let role = membership?.role
        self.id = person.member.id.description
        self.name = person.member.name
        self.email = showEmail ? person.member.email.rawValue : nil
        self.country = person.member.country?.rawValue
        self.role = role
        self.isChair = role == "chair"
        self.membershipID = membership?.membership
        self.institutions = person.institutions.enumerated().map {
            Place(slug: $0.element.slug, name: $0.element.name, last: $0.offset == person.institutions.count - 1)
        }
    }
}

/// A result value as the artifact and run pages write it.
struct MetricCell: Sendable {
    let task: String
    let metric: String
    let value: String
    let error: String?
    let samples: Int?

    init(_ listing: RunStore.ResultListing) {
        self.task = listing.taskSlug
        self.metric = listing.result.metric
        self.value = Format.metric(listing.result.value)
        self.error = listing.result.standardError.map(Format.metric)
        self.samples = listing.result.samples
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
