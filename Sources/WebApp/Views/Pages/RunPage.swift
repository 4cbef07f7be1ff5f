import Domain
import Foundation
import Store

/// One evaluation run: status (reloading itself while it runs), metrics, per-task outcomes, and its record.
struct RunPage: Sendable {
    struct Outcome: Sendable {
        let task: String
        let kind: String
        let items: Int
        let tokens: Int64
        let wall: String
    }

    let chrome: Chrome
    let id: String
    let status: String
    let statusClass: String
    let isActive: Bool
    let groupSlug: String
    let checkpoint: String
    let checkpointID: String
    let suite: String
    let attempts: String
    let queued: String
    let started: String?
    let finished: String?
    let error: String?
    let progressText: String?
    let progressValue: Int
    let progressMax: Int
    let wall: String?
    let cpu: String?
    let charged: String?
    let digest: String?
    let results: [MetricCell]
    let hasResults: Bool
    let outcomes: [Outcome]
    let hasOutcomes: Bool
    let record: String?

    init(chrome: Chrome, listing: RunStore.Listing, results: [RunStore.ResultListing], outcomes: [RunStore.TaskOutcomeListing]) {
        let run = listing.run
        self.chrome = chrome
        self.id = run.id.description
        self.status = run.status.rawValue
        self.statusClass = "status-\(run.status.rawValue)"
        self.isActive = !run.status.isFinished
        self.groupSlug = listing.groupSlug
        self.checkpoint = "\(listing.checkpointSlug) v\(listing.checkpointVersion)"
        self.checkpointID = run.checkpointID.description
        self.suite = listing.suiteSlug
        self.attempts = "\(run.attempts) of \(run.maxAttempts)"
        self.queued = Format.time(run.queuedAt)
        self.started = run.startedAt.map(Format.time)
        self.finished = run.finishedAt.map(Format.time)
        self.error = run.error
        let progress = Self.progress(listing.progress)
        self.progressText = run.status == .running ? progress.text : nil
        self.progressValue = progress.done
        self.progressMax = max(progress.total, 1)
        self.wall = listing.wallSeconds.map(Format.duration)
        self.cpu = listing.cpuSeconds.map(Format.duration)
        self.charged = listing.chargedAmount.map(Format.amount)
        self.digest = listing.checkpointSHA256
        self.results = results.map(MetricCell.init)
        self.hasResults = !results.isEmpty
        self.outcomes = outcomes.map {
            Outcome(task: $0.taskSlug, kind: $0.kind, items: $0.items, tokens: $0.tokens, wall: Format.duration($0.wallSeconds))
        }
        self.hasOutcomes = !outcomes.isEmpty
        self.record = Self.pretty(listing.reproducibility)
    }

    /// The runner's progress object (`task`, `task_index`, `tasks`, `done`, `total`) as a sentence and a fraction.
    static func progress(_ json: String) -> (text: String?, done: Int, total: Int) {
        guard let data = json.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let task = object["task"] as? String
        else { return (nil, 0, 1) }
        let index = (object["task_index"] as? Int ?? 0) + 1
        let tasks = object["tasks"] as? Int ?? 1
        let done = object["done"] as? Int ?? 0
        let total = object["total"] as? Int ?? 0
        return ("task \(index) of \(tasks) (\(task)): \(done) of \(total) items", done, max(total, 1))
    }

    /// The reproducibility record indented for reading, or nil while it is still empty.
    static func pretty(_ json: String) -> String? {
        guard let data = json.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data),
            (object as? [String: Any])?.isEmpty == false,
            let text = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return nil }
        return String(decoding: text, as: UTF8.self)
    }
}
