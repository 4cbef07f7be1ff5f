import Domain
import Foundation
import Store

/// One task × metric of a group's leaderboard: the checkpoint series as a table and a trend chart.
struct Leaderboard: Sendable {
    struct Row: Sendable {
        let checkpoint: String
        let checkpointID: String
        let value: String
        let error: String?
        let samples: Int?
        let runID: String
        let finished: String
        let isBest: Bool
        /// The change from the previous checkpoint in the series, signed, with whether it is a worsening.
        let change: String?
        let worse: Bool
    }

    let id: String
    let task: String
    let metric: String
    /// Which way is better, nil for a metric without a direction.
    let direction: String?
    let chart: String
    let rows: [Row]

    /// Groups standings (ordered by task, metric, then series) into one board per task × metric.
    static func boards(_ standings: [RunStore.Standing]) -> [Leaderboard] {
        var boards: [Leaderboard] = []
        var start = standings.startIndex
        while start < standings.endIndex {
            let key = (standings[start].taskSlug, standings[start].metric)
            var end = start
            while end < standings.endIndex, (standings[end].taskSlug, standings[end].metric) == key { end += 1 }
            boards.append(Leaderboard(Array(standings[start..<end])))
            start = end
        }
        return boards
    }

    private init(_ series: [RunStore.Standing]) {
        let first = series[0]
        let direction = MetricDirection.of(first.metric)
        self.task = first.taskSlug
        self.metric = first.metric
        self.id = "board-\(first.taskSlug)-\(first.metric)".replacingOccurrences(of: ".", with: "-")
        self.direction =
            switch direction {
            case .higherIsBetter: "higher is better"
            case .lowerIsBetter: "lower is better"
            case .closerTo(let ideal): "closer to \(Format.metric(ideal)) is better"
            case nil: nil
            }
        let best: Double? =
            switch direction {
            case .higherIsBetter: series.map(\.value).max()
            case .lowerIsBetter: series.map(\.value).min()
            case .closerTo(let ideal): series.map(\.value).min { abs($0 - ideal) < abs($1 - ideal) }
            case nil: nil
            }
        self.rows = series.enumerated().map { index, standing in
            let previous = index > 0 ? series[index - 1].value : nil
            let delta = previous.map { standing.value - $0 }
            return Row(
                checkpoint: "\(standing.checkpointSlug) v\(standing.checkpointVersion)", checkpointID: standing.checkpointID.description,
                value: Format.metric(standing.value), error: standing.standardError.map(Format.metric), samples: standing.samples,
                runID: standing.runID.description, finished: Format.time(standing.finishedAt), isBest: best == standing.value && series.count > 1,
                change: delta.map { ($0 >= 0 ? "+" : "−") + Format.metric(abs($0)) },
                worse: previous.map { direction?.worsening(from: $0, to: standing.value) ?? 0 > 0 } ?? false)
        }
        self.chart =
            TrendChart(
                title: "\(first.taskSlug) · \(first.metric) across checkpoints",
                points: series.map { .init(label: "\($0.checkpointSlug) v\($0.checkpointVersion)", value: $0.value, standardError: $0.standardError) }
            ).svg
    }
}
