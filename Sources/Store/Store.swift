public import Database

/// The domain's SQL, one store per aggregate, all sharing one connection pool.
public struct Store: Sendable {
    /// The primary: every write, and every read outside `Store.readingFromReplica`.
    public let primary: DatabasePool
    /// A streaming replica for read-only requests (`serve --read-database-url`), if one is configured.
    public let replica: DatabasePool?

    /// Set for the duration of a read-only request: stores made while it is set read from the replica. A write attempted
    /// there fails (a replica refuses it) instead of silently going elsewhere, so a handler that writes must not run
    /// under it; the web app sets it for GET and HEAD only, after the middleware that records token and session use.
    @TaskLocal public static var readingFromReplica = false

    /// The pool stores made now work through.
    public var pool: DatabasePool { Self.readingFromReplica ? (self.replica ?? self.primary) : self.primary }

    /// Creates the stores over `pool`, with reads of read-only requests going to `replica` when given.
    public init(pool: DatabasePool, replica: DatabasePool? = nil) {
        self.primary = pool
        self.replica = replica
    }

    public var institutions: InstitutionStore { .init(pool: self.pool) }
    public var members: MemberStore { .init(pool: self.pool) }
    public var workingGroups: WorkingGroupStore { .init(pool: self.pool) }
    public var artifacts: ArtifactStore { .init(pool: self.pool) }
    public var memberships: MembershipStore { .init(pool: self.pool) }
    public var schedules: ScheduleStore { .init(pool: self.pool) }
    public var runs: RunStore { .init(pool: self.pool) }
    public var runQueue: RunQueue { .init(pool: self.pool) }
    public var compute: ComputeStore { .init(pool: self.pool) }
    public var evaluations: EvaluationStore { .init(pool: self.pool) }
    public var audit: AuditStore { .init(pool: self.pool) }
    public var allocations: AllocationStore { .init(pool: self.pool) }
    public var tokens: TokenStore { .init(pool: self.pool) }
    public var directory: DirectoryStore { .init(pool: self.pool) }
    public var site: SiteStore { .init(pool: self.pool) }
    public var sessions: SessionStore { .init(pool: self.pool) }
    public var idempotency: IdempotencyStore { .init(pool: self.pool) }
    public var operations: OperationsStore { .init(pool: self.pool) }
    public var slurmJobs: SlurmJobStore { .init(pool: self.pool) }
}
