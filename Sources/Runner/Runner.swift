public import Database
public import Domain
import Foundation
import Inference
public import Logging
public import Store
import Synchronization

/// `consortium runner`: workers that claim queued runs, execute them and record the results, woken by
/// LISTEN/NOTIFY (polling only as a fallback), and a scheduler that turns due schedules into runs.
///
/// ```swift
/// let runner = Runner(store: store, database: configuration, content: contentStore, configuration: .init(dataDirectory: data))
/// let summary = try await runner.run()   // with `untilIdle`, returns once the queue is empty
/// ```
public final class Runner: Sendable {
    /// What a `run()` did.
    public struct Summary: Sendable, Hashable {
        public var succeeded = 0
        public var failed = 0
        public var retried = 0
        public var refused = 0
        public var released = 0
        public var abandoned = 0

        /// Nothing done yet.
        public init() {}
    }

    let store: Store
    let database: DatabaseConfiguration
    let cache: ArtifactCache
    let configuration: RunnerConfiguration
    let logger: Logger
    private let stopping = Mutex<(requested: Bool, controls: [ObjectIdentifier: RunControl])>((false, [:]))
    private let wakeups = Mutex<[AsyncStream<Void>.Continuation]>([])

    /// A runner over `store`; `database` is used for its LISTEN connection.
    public init(store: Store, database: DatabaseConfiguration, content: any ContentStore, configuration: RunnerConfiguration, logger: Logger) {
        self.store = store
        self.database = database
        self.cache = ArtifactCache(content: content, root: configuration.cacheDirectory)
        self.configuration = configuration
        self.logger = logger
    }

    /// Stops claiming, and has running runs given back to the queue at their next batch (SIGTERM).
    public func stop() {
        let controls = stopping.withLock { state in
            state.requested = true
            return Array(state.controls.values)
        }
        for control in controls { control.stop(.shuttingDown) }
        wakeAll()
    }

    private var stopRequested: Bool { stopping.withLock { $0.requested } }

    private func wakeAll() {
        for continuation in wakeups.withLock({ $0 }) { continuation.yield() }
    }

    /// Executes run `id`, which this runner's owner holds the lease of (claimed by a runner that handed it to a Slurm job
    /// running `consortium eval exec`), and says how it ended; nil when the lease is not held (the run was taken over,
    /// cancelled or finished), so nothing was done.
    public func executeHeld(_ id: Identifier<EvalRun>) async throws -> String? {
        guard let run = try await store.runQueue.held(id, owner: configuration.owner) else { return nil }
        let threads = configuration.threads ?? ProcessInfo.processInfo.activeProcessorCount
        Checkpoint.setThreadCount(threads)
        let executor = RunExecutor(
            queue: store.runQueue, cache: cache, configuration: configuration, threadsPerRun: threads, machine: MachineFacts.read(),
            logger: logger)
        let control = RunControl()
        let registered = stopping.withLock { state -> Bool in
            state.controls[ObjectIdentifier(control)] = control
            return !state.requested
        }
        // A job stopped by Slurm (scancel, its time limit) writes nothing: the runner that submitted it judges the run.
        if !registered { control.stop(.cancelled) }
        var model: RunExecutor.LoadedModel?
        let ending = await executor.execute(run, model: &model, control: control)
        return "\(ending)"
    }

    /// Stops a run executed by `executeHeld` at its next batch without writing anything (Slurm's SIGTERM).
    public func abandon() {
        let controls = stopping.withLock { state in
            state.requested = true
            return Array(state.controls.values)
        }
        for control in controls { control.stop(.cancelled) }
    }

    /// Works until stopped (or, with `untilIdle`, until the queue is empty).
    public func run() async throws -> Summary {
        let threads = configuration.threads ?? max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, configuration.concurrency))
        Checkpoint.setThreadCount(threads)
        let executor = RunExecutor(
            queue: store.runQueue, cache: cache, configuration: configuration, threadsPerRun: threads, machine: MachineFacts.read(),
            logger: logger)
        let helpers = startHelpers()
        defer { for helper in helpers { helper.cancel() } }
        return try await withThrowingTaskGroup(of: Summary.self) { group in
            for index in 0..<max(1, configuration.concurrency) {
                group.addTask { try await self.work(index, executor: executor) }
            }
            var total = Summary()
            for try await summary in group {
                total.succeeded += summary.succeeded
                total.failed += summary.failed
                total.retried += summary.retried
                total.refused += summary.refused
                total.released += summary.released
                total.abandoned += summary.abandoned
            }
            return total
        }
    }

    /// The LISTEN task and the scheduler; none when working until idle (the queue is drained, not watched).
    private func startHelpers() -> [Task<Void, Never>] {
        guard !configuration.untilIdle else { return [] }
        var helpers: [Task<Void, Never>] = []
        let listener = NotificationListener(configuration: database, channels: ["runs_queued"], logger: logger)
        helpers.append(
            Task {
                for await _ in listener.notifications() {
                    if Task.isCancelled { break }
                    self.wakeAll()
                }
            })
        if let interval = configuration.scheduleSeconds {
            helpers.append(
                Task {
                    while !Task.isCancelled {
                        do {
                            let created = try await self.store.schedules.queueDue()
                            if !created.isEmpty { self.logger.info("queued scheduled runs", metadata: ["count": "\(created.count)"]) }
                        } catch {
                            self.logger.warning("scheduler pass failed", metadata: ["error": "\(error)"])
                        }
                        try? await Task.sleep(for: .seconds(interval))
                    }
                })
        }
        return helpers
    }

    private func work(_ index: Int, executor: RunExecutor) async throws -> Summary {
        var summary = Summary()
        var model: RunExecutor.LoadedModel?
        let (wakeup, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        wakeups.withLock { $0.append(continuation) }
        let poll = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(configuration.pollSeconds))
                continuation.yield()
            }
        }
        defer {
            poll.cancel()
            continuation.finish()
        }
        var waiting = wakeup.makeAsyncIterator()
        var ranSinceIdle = false
        while !stopRequested {
            let claim: RunQueue.Claim
            do {
                claim = try await store.runQueue.claim(owner: configuration.owner, leaseSeconds: configuration.leaseSeconds)
            } catch {
                logger.warning("claiming a run failed", metadata: ["error": "\(error)"])
                if configuration.untilIdle { throw error }
                _ = await waiting.next()
                continue
            }
            switch claim {
            case .empty:
                if configuration.untilIdle { return summary }
                // Idle: the activation buffers the heap keeps for the next layer go back to the system until work comes,
                // but not while another worker's run is still using and reusing them.
                if ranSinceIdle, stopping.withLock({ $0.controls.isEmpty }) {
                    ActivationMemory.releaseFreedBuffers()
                    ranSinceIdle = false
                }
                _ = await waiting.next()
            case let .refused(id, reason):
                logger.info("run refused before starting", metadata: ["run": "\(id)", "reason": "\(reason)"])
                summary.refused += 1
            case let .run(run):
                ranSinceIdle = true
                logger.info(
                    "run started", metadata: ["run": "\(run.id)", "group": "\(run.groupSlug)", "attempt": "\(run.attempt)", "worker": "\(index)"])
                let control = RunControl()
                let registered = stopping.withLock { state -> Bool in
                    state.controls[ObjectIdentifier(control)] = control
                    return !state.requested
                }
                if !registered { control.stop(.shuttingDown) }
                let ending: RunExecutor.Ending
                switch configuration.executor {
                case .local: ending = await executor.execute(run, model: &model, control: control)
                case .slurm(let slurm):
                    ending = await SlurmExecutor(store: store, configuration: configuration, slurm: slurm, logger: logger).execute(
                        run, control: control)
                }
                _ = stopping.withLock { $0.controls.removeValue(forKey: ObjectIdentifier(control)) }
                logger.info("run ended", metadata: ["run": "\(run.id)", "ending": "\(ending)"])
                switch ending {
                case .succeeded: summary.succeeded += 1
                case .failed: summary.failed += 1
                case .retried: summary.retried += 1
                case .released: summary.released += 1
                case .abandoned: summary.abandoned += 1
                }
            }
        }
        return summary
    }
}
