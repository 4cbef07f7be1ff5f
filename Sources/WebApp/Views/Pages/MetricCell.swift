import Domain
import Foundation
import Store

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
