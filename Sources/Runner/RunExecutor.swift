import Domain
import Evaluation
import Foundation
import Inference
import Logging
import Store

/// Executes one claimed run: checkpoint and datasets out of the artifact store, each task through `Evaluation` on a
/// thread of its own (BLAS blocks), the lease renewed beside it, then results, charge and status in one transaction.
struct RunExecutor: Sendable {
    let queue: RunQueue
    let cache: ArtifactCache
    let configuration: RunnerConfiguration
    let threadsPerRun: Int
    let machine: MachineFacts
    let logger: Logger

    /// How an attempt ended.
    enum Ending: Sendable, Equatable { case succeeded, failed, retried, released, abandoned }

    /// The checkpoint a worker loaded last, kept for the next run of the same checkpoint.
    struct LoadedModel: Sendable {
        let digest: String
        let checkpoint: Checkpoint
    }

    func execute(_ run: RunQueue.ClaimedRun, model: inout LoadedModel?, control: RunControl) async -> Ending {
        let started = Date()
        let cpuStart = MachineFacts.processCPUSeconds()
        if configuration.stopsOnLeaseClock { control.renewed(sent: .now, seconds: configuration.leaseSeconds) }
        let renewal = Task { await renew(run, control: control) }
        defer { renewal.cancel() }
        var results: [RunQueue.TaskResult] = []
        var records: [ReproducibilityRecord.Task] = []
        func measurement() -> RunQueue.Measurement {
            let wall = Date().timeIntervalSince(started)
            // With one run at a time the process's CPU time is the run's; with several, their threads mix in one
            // process, so each is charged its wall time on its share of the cores (an upper bound).
            let cpu =
                configuration.concurrency == 1
                ? MachineFacts.processCPUSeconds() - cpuStart : wall * Double(threadsPerRun)
            let tokens = records.reduce(0) { $0 + $1.tokens }
            let kwh = cpu / 3600 * NSDecimalNumber(decimal: run.powerWattsPerUnit).doubleValue / 1000
            let record = ReproducibilityRecord.Run(
                checkpointArtifactId: run.checkpointID.description, checkpointSha256: run.checkpointSHA256,
                checkpointFiles: run.checkpointFiles.map { .init(path: $0.path, sha256: $0.sha256) }, suite: run.suiteSlug, machine: machine,
                threads: threadsPerRun, runner: configuration.owner, attempt: run.attempt, seed: 0, wallSeconds: wall, cpuSeconds: cpu,
                tokens: tokens, energyKwh: kwh, co2eGrams: kwh * NSDecimalNumber(decimal: run.carbonGramsPerKWh).doubleValue,
                tasks: records.map(\.task))
            return RunQueue.Measurement(wallSeconds: wall, cpuSeconds: cpu, reproducibility: (try? ReproducibilityRecord.json(record)) ?? "{}")
        }
        do {
            if !run.tasks.isEmpty {
                let checkpoint = try await load(run, cached: &model)
                for (index, task) in run.tasks.enumerated() {
                    let (result, record) = try await evaluate(task, index: index, of: run, checkpoint: checkpoint, control: control)
                    results.append(result)
                    records.append(record)
                }
            }
            if let reason = control.stopReason { throw EvaluationStopped(reason: "\(reason)") }
            let done = try await queue.complete(run.id, owner: configuration.owner, results: results, measurement: measurement())
            return done ? .succeeded : .abandoned
        } catch is EvaluationStopped {
            switch control.stopReason {
            case .shuttingDown:
                try? await queue.release(run.id, owner: configuration.owner)
                return .released
            case .cancelled, .leaseLost, nil:
                return .abandoned
            }
        } catch {
            // A run that can never succeed as stored fails now; anything else (the database, the disk) is retried.
            let permanent = error is EvaluationError || error is RunnerError || error is ContentStoreError || error is ModelError
            let message = Self.describe(error)
            logger.warning("run failed", metadata: ["run": "\(run.id)", "attempt": "\(run.attempt)", "error": "\(message)"])
            let ended = try? await queue.fail(run.id, owner: configuration.owner, error: message, retry: !permanent, measurement: measurement())
            guard ended == true else { return .abandoned }
            return permanent || run.attempt >= run.maxAttempts ? .failed : .retried
        }
    }

    private func load(_ run: RunQueue.ClaimedRun, cached: inout LoadedModel?) async throws -> Checkpoint {
        if let cached, cached.digest == run.checkpointSHA256 { return cached.checkpoint }
        let directory = try await cache.checkpointDirectory(digest: run.checkpointSHA256, files: run.checkpointFiles)
        let checkpoint = try await Self.onThread { try Checkpoint(directory: directory) }
        cached = LoadedModel(digest: run.checkpointSHA256, checkpoint: checkpoint)
        return checkpoint
    }

    private func evaluate(
        _ task: RunQueue.TaskSpecification, index: Int, of run: RunQueue.ClaimedRun, checkpoint: Checkpoint, control: RunControl
    ) async throws -> (RunQueue.TaskResult, ReproducibilityRecord.Task) {
        guard let kind = TaskKind(rawValue: task.kind) else { throw RunnerError("task \(task.slug): this engine has no task kind '\(task.kind)'") }
        guard let file = task.dataset else { throw RunnerError("task \(task.slug) names no dataset file (or the file is not in its artifact)") }
        guard let config = task.config else {
            throw RunnerError("task \(task.slug): its config must map parameter names to strings")
        }
        let parameters = try TaskParameters(config, for: kind)
        let data = try await cache.bytes(of: file)
        let started = Date()
        let tasks = run.tasks.count
        let outcome = try await Self.onThread {
            try Evaluator.evaluate(kind, checkpoint: checkpoint, dataset: data, datasetName: file.path, parameters: parameters) { done, total in
                control.report(RunQueue.Progress(task: task.slug, taskIndex: index, tasks: tasks, done: done, total: total))
                if let reason = control.stopReason { throw EvaluationStopped(reason: "\(reason)") }
            }
        }
        let wall = Date().timeIntervalSince(started)
        let record = ReproducibilityRecord.Task(
            task: task.slug, kind: kind.rawValue, taskVersion: kind.version, parameters: parameters.record(for: kind),
            dataset: .init(artifactId: task.datasetArtifactID?.description, path: file.path, sha256: file.sha256),
            tokenizerSha256: run.checkpointFiles.first { $0.path == "tokenizer.json" }?.sha256, items: outcome.items,
            tokens: outcome.tokensProcessed, wallSeconds: wall, batchSize: parameters.batchSize, threads: threadsPerRun, seed: 0)
        let result = RunQueue.TaskResult(
            taskID: task.id,
            metrics: outcome.metrics.map { .init(name: $0.name, value: $0.value, standardError: $0.standardError, samples: $0.samples) },
            details: outcome.details, reproducibility: try ReproducibilityRecord.json(record), items: outcome.items, tokens: outcome.tokensProcessed,
            wallSeconds: wall)
        return (result, record)
    }

    /// Renews the lease every few seconds with the latest progress until cancelled; tells the compute thread to stop
    /// when the run was cancelled or taken away.
    private func renew(_ run: RunQueue.ClaimedRun, control: RunControl) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(configuration.renewSeconds))
            if Task.isCancelled { return }
            do {
                let sent = ContinuousClock.now
                switch try await queue.renew(run.id, owner: configuration.owner, leaseSeconds: configuration.leaseSeconds, progress: control.progress)
                {
                case .held:
                    if configuration.stopsOnLeaseClock { control.renewed(sent: sent, seconds: configuration.leaseSeconds) }
                    continue
                case .cancelled:
                    control.stop(.cancelled)
                    return
                case .lost:
                    control.stop(.leaseLost)
                    return
                }
            } catch {
                // The database may be away briefly; the lease outlives a few missed renewals.
                logger.warning("lease renewal failed", metadata: ["run": "\(run.id)", "error": "\(error)"])
            }
        }
    }

    /// Runs blocking work (weight loading, BLAS) on a thread of its own, off Swift's cooperative pool.
    static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case let error as EvaluationError: error.detail
        case let error as any CustomStringConvertible: error.description
        default: "\(error)"
        }
    }
}
