import Domain
import Evaluation
public import Foundation
import Inference
public import Store

/// `consortium eval rerun`: executes a finished run again from its reproducibility record — the same checkpoint and
/// dataset bytes (by SHA-256), task versions and parameters — and compares every metric with what was recorded.
public struct RunReproduction: Sendable {
    /// One metric, recorded and reproduced.
    public struct Comparison: Sendable, Hashable {
        public let task: String
        public let metric: String
        public let recorded: Double
        public let reproduced: Double?

        /// |reproduced − recorded| / max(|recorded|, 1e-12); nil when the metric was not reproduced.
        public var relativeDifference: Double? {
            reproduced.map { abs($0 - recorded) / max(abs(recorded), 1e-12) }
        }
    }

    let cache: ArtifactCache
    let content: any ContentStore

    /// A rerun reading from `content`, unpacking checkpoints under `cacheDirectory`.
    public init(content: any ContentStore, cacheDirectory: URL) {
        self.content = content
        self.cache = ArtifactCache(content: content, root: cacheDirectory)
    }

    /// Re-executes every task of `run` and pairs each recorded metric with its new value.
    /// - Throws: `EvaluationError` or a description of what the record lacks (a run that never succeeded has none).
    public func compare(
        run: RunStore.Listing, outcomes: [RunStore.TaskOutcomeListing], results: [RunStore.ResultListing],
        progress: @escaping @Sendable (String, Int, Int) -> Void = { _, _, _ in }
    ) async throws -> [Comparison] {
        guard run.run.status == .succeeded, let record = try? ReproducibilityRecord.decode(ReproducibilityRecord.Run.self, from: run.reproducibility)
        else {
            throw RunnerError("run \(run.run.id) has no reproducibility record to rerun (it is \(run.run.status.rawValue))")
        }
        var files: [RunQueue.FileReference] = []
        for file in record.checkpointFiles {
            guard let size = try await content.size(of: file.sha256) else {
                throw RunnerError("\(file.path) (\(file.sha256)) is no longer in the artifact store")
            }
            files.append(.init(path: file.path, sha256: file.sha256, size: size))
        }
        var comparisons: [Comparison] = []
        var checkpoint: Checkpoint?
        for outcome in outcomes {
            let task = try ReproducibilityRecord.decode(ReproducibilityRecord.Task.self, from: outcome.reproducibility)
            guard let kind = TaskKind(rawValue: task.kind) else { throw RunnerError("task kind '\(task.kind)' is unknown to this engine") }
            guard kind.version == task.taskVersion else {
                throw RunnerError("\(outcome.taskSlug) ran as \(task.kind) version \(task.taskVersion); this engine has version \(kind.version)")
            }
            if checkpoint == nil {
                let directory = try await cache.checkpointDirectory(digest: record.checkpointSha256, files: files)
                checkpoint = try await RunExecutor.onThread { try Checkpoint(directory: directory) }
            }
            guard let size = try await content.size(of: task.dataset.sha256) else {
                throw RunnerError("\(task.dataset.path) (\(task.dataset.sha256)) is no longer in the artifact store")
            }
            let data = try await cache.bytes(of: .init(path: task.dataset.path, sha256: task.dataset.sha256, size: size))
            let parameters = try TaskParameters(task.parameters, for: kind)
            guard let loaded = checkpoint else { throw RunnerError("the checkpoint did not load") }
            let slug = outcome.taskSlug
            let reproduced = try await RunExecutor.onThread {
                try Evaluator.evaluate(kind, checkpoint: loaded, dataset: data, datasetName: task.dataset.path, parameters: parameters) {
                    progress(slug, $0, $1)
                }
            }
            for result in results where result.taskSlug == outcome.taskSlug {
                comparisons.append(
                    Comparison(
                        task: slug, metric: result.result.metric, recorded: result.result.value, reproduced: reproduced.value(result.result.metric)))
            }
        }
        return comparisons
    }
}
