import ArgumentParser
import Database
import Domain
import Foundation
import Inference
import Runner
import Store

extension Consortium.Eval {
    struct Rerun: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Execute a finished run again from its reproducibility record and report any metric that differs.",
            discussion: "Exit status 0 when every metric is reproduced within --tolerance (relative), 1 otherwise. Nothing is written.")

        @OptionGroup var options: GlobalOptions

        @Argument(help: "The run id.")
        var run: String

        @Option(help: "Largest relative difference counted as the same number.")
        var tolerance = 1e-6

        @Option(help: "Engine threads (results do not depend on it).")
        var threads: Int?

        @Flag(help: "One JSON object per metric.")
        var json = false

        func run() async throws {
            try await Consortium.Eval.withRun(self.run, options: self.options) { store, listing in try await self.compare(listing, store: store) }
        }

        private func compare(_ listing: RunStore.Listing, store: Store) async throws {
            let id = listing.run.id
            if let threads { Checkpoint.setThreadCount(threads) }
            let data = self.options.dataDirectory
            let rerun = RunReproduction(
                content: try LocalContentStore(root: data.appendingPathComponent("artifacts")),
                cacheDirectory: data.appendingPathComponent("runner-cache"))
            let comparisons: [RunReproduction.Comparison]
            do {
                comparisons = try await rerun.compare(
                    run: listing, outcomes: try await store.runs.outcomes(of: id), results: try await store.runs.results(of: id))
            } catch let error as any CustomStringConvertible {
                throw CommandError(error.description)
            }
            var differing = 0
            var rows: [[String]] = []
            for c in comparisons {
                let same = (c.relativeDifference ?? .infinity) <= self.tolerance
                if !same { differing += 1 }
                if self.json {
                    let object: [String: Any] = [
                        "task": c.task, "metric": c.metric, "recorded": c.recorded, "reproduced": c.reproduced ?? NSNull(),
                        "relative_difference": c.relativeDifference ?? NSNull(), "same": same,
                    ]
                    print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
                } else {
                    rows.append([
                        c.task, c.metric, String(format: "%.9g", c.recorded), c.reproduced.map { String(format: "%.9g", $0) } ?? "missing",
                        c.relativeDifference.map { String(format: "%.2e", $0) } ?? "", same ? "same" : "DIFFERENT",
                    ])
                }
            }
            if !self.json {
                print(
                    TextTable(headers: ["TASK", "METRIC", "RECORDED", "REPRODUCED", "REL. DIFF", ""], rightAligned: [2, 3, 4]).render(rows),
                    terminator: "")
                print(differing == 0 ? "All \(comparisons.count) metrics reproduced." : "\(differing) of \(comparisons.count) metrics differ.")
            }
            if differing > 0 || comparisons.isEmpty { throw ExitCode(1) }
        }
    }
}
