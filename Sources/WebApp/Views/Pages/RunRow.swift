import Domain
import Foundation
import Store

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
