public import Database

/// The domain's SQL, one store per aggregate, all sharing one connection pool.
public struct Store: Sendable {
    /// The pool every store runs on.
    public let pool: DatabasePool

    /// Creates the stores over `pool`.
    public init(pool: DatabasePool) { self.pool = pool }

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
}
