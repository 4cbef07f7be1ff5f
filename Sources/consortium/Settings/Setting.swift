/// One configuration setting: the environment variable (and config-file line) that names it, the flag that
/// overrides it, and its default.
struct Setting: Sendable, Hashable {
    /// The environment variable, and the name a config-file line uses: `CONSORTIUM_PORT=8080`.
    let name: String
    /// The command-line flag that overrides it, when a command has one.
    let flag: String?
    /// The default when nothing sets it (nil: unset).
    let defaultValue: String?
    /// Printed as `***` by `consortium config`; passwords in connection strings are the case here.
    let isSecret: Bool
    let summary: String

    init(_ name: String, flag: String? = nil, default defaultValue: String? = nil, secret: Bool = false, _ summary: String) {
        self.name = name
        self.flag = flag
        self.defaultValue = defaultValue
        self.isSecret = secret
        self.summary = summary
    }
}

extension Setting {
    static let config = Setting(
        "CONSORTIUM_CONFIG", flag: "--config", default: "/etc/consortium/consortium.env",
        "Config file of NAME=VALUE lines (the default is read only when it exists).")
    static let databaseURL = Setting(
        "DATABASE_URL", flag: "--database-url", secret: true, "libpq connection string or URI (unset: the local cluster in the data folder).")
    static let readDatabaseURL = Setting(
        "DATABASE_READ_URL", flag: "--read-database-url", secret: true,
        "A streaming replica for the queries of GET and HEAD requests (`serve`; unset: the primary serves everything).")
    static let databasePoolSize = Setting(
        "DATABASE_POOL_SIZE", flag: "--database-pool-size", default: "8", "Most database connections one process opens.")
    static let dataDir = Setting(
        "CONSORTIUM_DATA_DIR", flag: "--data-dir", default: ".data", "Folder for artifact contents, the checkpoint cache and the local cluster.")
    static let schemaDir = Setting("CONSORTIUM_SCHEMA_DIR", flag: "--schema-dir", default: "Schema", "Folder with migrations/ and openapi.yaml.")
    static let webDir = Setting("CONSORTIUM_WEB_DIR", flag: "--web-dir", default: "Web", "Folder with templates/ and static/.")
    static let logLevel = Setting(
        "CONSORTIUM_LOG_LEVEL", flag: "--log-level", default: "info", "trace, debug, info, notice, warning, error or critical.")
    static let logFormat = Setting(
        "CONSORTIUM_LOG_FORMAT", flag: "--log-format", default: "text", "text (one line for people) or json (one object a line, for collectors).")
    static let host = Setting("CONSORTIUM_HOST", flag: "--host", default: "127.0.0.1", "Address `serve` listens on.")
    static let port = Setting("CONSORTIUM_PORT", flag: "--port", default: "8080", "Port `serve` listens on.")
    static let maxBodyBytes = Setting(
        "CONSORTIUM_MAX_BODY_BYTES", flag: "--max-body-bytes", default: "262144", "Largest JSON or form request body, in bytes.")
    static let maxUploadBytes = Setting(
        "CONSORTIUM_MAX_UPLOAD_BYTES", flag: "--max-upload-bytes", default: "17179869184", "Largest artifact file upload, in bytes.")
    static let apiCacheSeconds = Setting(
        "CONSORTIUM_API_CACHE_SECONDS", flag: "--api-cache-seconds", default: "10",
        "Seconds `serve` may answer a public API read from memory; any change to the data forgets it sooner (0: never).")
    static let runnerConcurrency = Setting(
        "CONSORTIUM_RUNNER_CONCURRENCY", flag: "--concurrency", default: "1", "Runs one runner executes at once.")
    static let runnerThreads = Setting(
        "CONSORTIUM_RUNNER_THREADS", flag: "--threads", "Engine threads per run (unset: all cores divided by the concurrency).")
    static let runnerLeaseSeconds = Setting(
        "CONSORTIUM_RUNNER_LEASE_SECONDS", flag: "--lease-seconds", default: "30", "Seconds a claimed run stays a runner's without a renewal.")
    static let runnerPollSeconds = Setting(
        "CONSORTIUM_RUNNER_POLL_SECONDS", flag: "--poll-seconds", default: "5", "Seconds between queue polls when no notification arrives.")
    static let runnerScheduleSeconds = Setting(
        "CONSORTIUM_RUNNER_SCHEDULE_SECONDS", flag: "--schedule-seconds", default: "15", "Seconds between scheduler passes.")
    static let runnerOwner = Setting(
        "CONSORTIUM_RUNNER_OWNER", flag: "--owner", "Runner name in leases, usage records and the audit log (unset: host:pid).")

    static let runnerExecutor = Setting(
        "CONSORTIUM_RUNNER_EXECUTOR", flag: "--executor", default: "local", "Where runs execute: local (this process) or slurm (one batch job each).")
    static let slurmPartition = Setting(
        "CONSORTIUM_SLURM_PARTITION", flag: "--slurm-partition", "The Slurm partition runs are submitted to (unset: the cluster's default).")

    /// Every setting, in the order `consortium config` prints them.
    static let all: [Setting] = [
        .config, .databaseURL, .readDatabaseURL, .databasePoolSize, .dataDir, .schemaDir, .webDir, .logLevel, .logFormat, .host, .port, .maxBodyBytes,
        .maxUploadBytes, .apiCacheSeconds, .runnerConcurrency, .runnerThreads, .runnerLeaseSeconds, .runnerPollSeconds, .runnerScheduleSeconds,
        .runnerOwner,
        .runnerExecutor, .slurmPartition,
    ]
}
