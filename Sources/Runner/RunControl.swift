import Store
import Synchronization

/// Shared between a run's compute thread and its lease-renewing task: the latest progress one way, the order to stop
/// the other.
final class RunControl: Sendable {
    /// Why a run stops early.
    enum StopReason: Sendable, Equatable {
        case cancelled, leaseLost, shuttingDown
    }

    private let state = Mutex<(progress: RunQueue.Progress?, stop: StopReason?)>((nil, nil))

    var progress: RunQueue.Progress? { state.withLock { $0.progress } }
    var stopReason: StopReason? { state.withLock { $0.stop } }

    func report(_ progress: RunQueue.Progress) { state.withLock { $0.progress = progress } }

    func stop(_ reason: StopReason) {
        state.withLock { if $0.stop == nil { $0.stop = reason } }
    }
}
