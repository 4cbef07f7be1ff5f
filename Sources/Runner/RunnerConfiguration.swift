public import Foundation

/// How a `consortium runner` process works.
public struct RunnerConfiguration: Sendable {
    /// Names this process in leases, usage records and the audit log (host and pid by default).
    public var owner: String
    /// Runs executed at once.
    public var concurrency: Int
    /// Exit once the queue is empty instead of waiting for work.
    public var untilIdle: Bool
    /// How long a claimed run stays this runner's without a renewal.
    public var leaseSeconds: Int
    /// Seconds between renewals (and progress reports).
    public var renewSeconds: Double
    /// Seconds between queue polls when no notification arrives (notifications can be lost while reconnecting).
    public var pollSeconds: Double
    /// Seconds between scheduler passes; nil turns the scheduler off in this process.
    public var scheduleSeconds: Double?
    /// BLAS/engine threads per run (nil: all cores divided by `concurrency`).
    public var threads: Int?
    /// Where checkpoints are unpacked from the artifact store for loading.
    public var cacheDirectory: URL

    /// The defaults, with the cache under `dataDirectory`.
    public init(dataDirectory: URL, owner: String? = nil) {
        self.owner = owner ?? "\(ProcessInfo.processInfo.hostName):\(ProcessInfo.processInfo.processIdentifier)"
        self.concurrency = 1
        self.untilIdle = false
        self.leaseSeconds = 30
        self.renewSeconds = 2
        self.pollSeconds = 5
        self.scheduleSeconds = 15
        self.threads = nil
        self.cacheDirectory = dataDirectory.appendingPathComponent("runner-cache")
    }
}
