import Dispatch
import Foundation

/// SIGTERM (systemd's stop, Slurm's scancel) and SIGINT (Ctrl-C) delivered to a handler instead of ending the process,
/// so a long-running command can stop cleanly.
struct StopSignals {
    private let sources: [any DispatchSourceSignal]

    /// Routes both signals to `handler` until `cancel()`.
    init(_ handler: @escaping @Sendable () -> Void) {
        self.sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler(handler: handler)
            source.resume()
            return source
        }
    }

    /// Stops routing; the signals end the process again, as by default.
    func cancel() {
        for source in self.sources { source.cancel() }
        signal(SIGTERM, SIG_DFL)
        signal(SIGINT, SIG_DFL)
    }
}
