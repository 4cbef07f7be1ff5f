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
    /// Where runs execute (default: here).
    public var executor: Executor
    /// Stop computing once the lease ran out by this process's own clock (renewals failing or hanging). Off for
    /// `eval exec` in a Slurm job, whose lease the submitting runner renews too: there only the database decides.
    public var stopsOnLeaseClock: Bool

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
        self.executor = .local
        self.stopsOnLeaseClock = true
    }
}

extension RunnerConfiguration {
    /// Where runs execute.
    public enum Executor: Sendable {
        /// In this process, on this machine's cores.
        case local
        /// As Slurm batch jobs, one per run.
        case slurm(Slurm)
    }

    /// How runs are handed to Slurm.
    public struct Slurm: Sendable {
        /// The partition jobs go to (nil: the cluster's default).
        public var partition: String?
        /// The `consortium` binary the job runs (the runner's own by default; it must be at the same path on the nodes).
        public var executable: String
        /// Arguments appended to the job's `eval exec` command (data folder, schema folder, config file, log settings).
        public var execArguments: [String]
        /// Set in the job's environment (the database to write to, when it came from a flag rather than the environment).
        public var environment: [String: String]
        /// Where job output files go (one per attempt).
        public var logDirectory: URL
        /// CPUs each job asks for (`--cpus-per-task`), and engine threads its command uses.
        public var cpusPerJob: Int

        public init(
            partition: String?, executable: String, execArguments: [String], environment: [String: String], logDirectory: URL, cpusPerJob: Int
        ) {
            self.cpusPerJob = cpusPerJob
            self.partition = partition
            self.executable = executable
            self.execArguments = execArguments
            self.environment = environment
            self.logDirectory = logDirectory
        }
    }
}
