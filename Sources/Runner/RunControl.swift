import Store
import Synchronization

/// Shared between a run's compute thread and its lease-renewing task: the latest progress one way, the order to stop
/// the other.
final class RunControl: Sendable {
    /// Why a run stops early.
    enum StopReason: Sendable, Equatable {
        case cancelled, leaseLost, shuttingDown
    }

    private struct State {
        var progress: RunQueue.Progress?
        var stop: StopReason?
        /// When the lease runs out by this runner's own clock, counted from when the last successful renewal was sent.
        var leaseDeadline: ContinuousClock.Instant?
    }

    private let state = Mutex(State())

    var progress: RunQueue.Progress? { state.withLock { $0.progress } }

    /// The order to stop, if any. A lease not renewed in time counts as lost even when the renewal is still hanging on a
    /// dead connection: another runner may already have taken the run, so computing on would only waste the cores.
    var stopReason: StopReason? {
        state.withLock { state in
            if let stop = state.stop { return stop }
            if let deadline = state.leaseDeadline, ContinuousClock.now > deadline { return .leaseLost }
            return nil
        }
    }

    func report(_ progress: RunQueue.Progress) { state.withLock { $0.progress = progress } }

    /// Records a successful renewal (or the claim) sent at `sent` for a lease of `seconds`.
    func renewed(sent: ContinuousClock.Instant, seconds: Int) {
        state.withLock { $0.leaseDeadline = sent.advanced(by: .seconds(seconds)) }
    }

    func stop(_ reason: StopReason) {
        state.withLock { if $0.stop == nil { $0.stop = reason } }
    }
}
