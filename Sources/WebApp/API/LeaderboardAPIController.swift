import Domain
import Foundation
import Hummingbird
import Store

/// A group's results across its checkpoint series: the leaderboard (latest result per checkpoint × task × metric),
/// one metric's history with regression flags, and the thresholds that raise them (set by chairs).
struct LeaderboardAPIController: Sendable {
    let store: Store

    struct StandingDTO: Encodable {
        let checkpointId: String
        let checkpoint: String
        let checkpointDate: Date
        let task: String
        let metric: String
        let value: Double
        let stderr: Double?
        let samples: Int?
        let runId: String
        let finishedAt: Date

        init(_ s: RunStore.Standing) {
            self.checkpointId = s.checkpointID.description
            self.checkpoint = "\(s.checkpointSlug)@\(s.checkpointVersion)"
            self.checkpointDate = s.checkpointDate
            self.task = s.taskSlug
            self.metric = s.metric
            self.value = s.value
            self.stderr = s.standardError
            self.samples = s.samples
            self.runId = s.runID.description
            self.finishedAt = s.finishedAt
        }
    }

    struct LeaderboardDTO: Encodable {
        let workingGroup: String
        let items: [StandingDTO]
    }

    struct PointDTO: Encodable {
        let standing: StandingDTO
        /// Change from the previous checkpoint of the series.
        let change: Double?
        /// The metric moved the wrong way by more than the group's threshold.
        let regression: Bool

        func encode(to encoder: any Encoder) throws {
            try standing.encode(to: encoder)
            enum Keys: String, CodingKey { case change, regression }
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(change, forKey: .change)
            try container.encode(regression, forKey: .regression)
        }
    }

    struct HistoryDTO: Encodable {
        let workingGroup: String
        let task: String
        let metric: String
        /// higher_is_better, lower_is_better, closer_to_0.5, or null when the metric has no direction.
        let direction: String?
        let threshold: Double?
        let points: [PointDTO]
    }

    struct ThresholdDTO: Encodable {
        let task: String
        let metric: String
        let threshold: Double
    }

    struct ThresholdRequest: KnownFields {
        static let fields: Set<String> = ["threshold"]
        let threshold: Double
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        let groups = router.group("/api/v1/working-groups")
        groups.get("{slug}/leaderboard") { request, context in
            let group = try await self.group(context)
            let items = try await self.store.runs.standings(group: group.slug.rawValue).map(StandingDTO.init)
            return try JSONResponse.make(LeaderboardDTO(workingGroup: group.slug.rawValue, items: items), request: request)
        }
        groups.get("{slug}/metric-history") { request, context in try await self.history(request, context: context) }
        groups.get("{slug}/regression-thresholds") { request, context in
            let group = try await self.group(context)
            let items = try await self.store.runs.thresholds(group: group.slug.rawValue).sorted { $0.key < $1.key }.map { key, value in
                let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
                return ThresholdDTO(task: parts[0], metric: parts[1], threshold: value)
            }
            return try JSONResponse.make(ListDTO(items: items, next: nil), request: request)
        }
        groups.put("{slug}/regression-thresholds/{task}/{metric}") { request, context in
            let (group, task, metric) = try await self.thresholdTarget(context)
            let body = try await request.decode(as: ThresholdRequest.self, context: context)
            guard body.threshold >= 0, body.threshold.isFinite else { throw Problem.invalid(field: "threshold", "must be a number of at least 0") }
            try await self.setThreshold(group, task: task, metric: metric, threshold: body.threshold, context: context)
            return try JSONResponse.make(ThresholdDTO(task: task, metric: metric, threshold: body.threshold), request: request)
        }
        groups.delete("{slug}/regression-thresholds/{task}/{metric}") { _, context in
            let (group, task, metric) = try await self.thresholdTarget(context)
            try await self.setThreshold(group, task: task, metric: metric, threshold: nil, context: context)
            return Response(status: .noContent)
        }
    }

    private func group(_ context: AppRequestContext) async throws -> WorkingGroup {
        let raw = try context.parameters.require("slug")
        guard let slug = try? Slug(raw), let group = try await self.store.workingGroups.find(slug: slug) else {
            throw Problem.notFound("no working group '\(raw.prefix(80))'")
        }
        return group
    }

    private func thresholdTarget(_ context: AppRequestContext) async throws -> (WorkingGroup, String, String) {
        let group = try await self.group(context)
        let task = try context.parameters.require("task")
        let metric = try context.parameters.require("metric")
        guard metric.wholeMatch(of: /[a-z0-9_@.]{1,64}/) != nil else { throw Problem.invalid(field: "metric", "is not a metric name") }
        return (group, task, metric)
    }

    private func setThreshold(_ group: WorkingGroup, task: String, metric: String, threshold: Double?, context: AppRequestContext) async throws {
        let identity = try context.requireWriter()
        guard identity.isAdmin || identity.roles[group.slug.rawValue] == .chair else {
            throw Problem.forbidden("only chairs of '\(group.slug)' and administrators set its regression thresholds")
        }
        do {
            try await self.store.runs.setThreshold(group: group.id, task: task, metric: metric, threshold: threshold, actor: identity.actor)
        } catch let error as StoreError where !error.isConflict && !error.isPreconditionFailed {
            throw Problem.notFound(error.detail)
        }
    }

    private func history(_ request: Request, context: AppRequestContext) async throws -> Response {
        let group = try await self.group(context)
        let query = request.uri.queryParameters
        guard let task = query["task"].map(String.init), !task.isEmpty else { throw Problem.invalid(field: "task", "is required") }
        guard let metric = query["metric"].map(String.init), !metric.isEmpty else { throw Problem.invalid(field: "metric", "is required") }
        let series = try await self.store.runs.standings(group: group.slug.rawValue, task: task, metric: metric)
        let threshold = try await self.store.runs.thresholds(group: group.slug.rawValue)["\(task)/\(metric)"]
        let direction = MetricDirection.of(metric)
        var points: [PointDTO] = []
        for (index, standing) in series.enumerated() {
            let previous = index > 0 ? series[index - 1].value : nil
            var regression = false
            if let previous, let direction, let threshold {
                regression = direction.worsening(from: previous, to: standing.value) > threshold
            }
            points.append(PointDTO(standing: StandingDTO(standing), change: previous.map { standing.value - $0 }, regression: regression))
        }
        let name: String? =
            switch direction {
            case .higherIsBetter: "higher_is_better"
            case .lowerIsBetter: "lower_is_better"
            case let .closerTo(ideal): "closer_to_\(ideal)"
            case nil: nil
            }
        return try JSONResponse.make(
            HistoryDTO(workingGroup: group.slug.rawValue, task: task, metric: metric, direction: name, threshold: threshold, points: points),
            request: request)
    }
}
