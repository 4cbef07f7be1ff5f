import Domain
import Foundation
import Hummingbird
import Store

/// `/api/v1/schedules` and `/api/v1/runs`: what the groups evaluate, when, and how it scored. Public to read; chairs
/// and administrators manage schedules; chairs and members queue runs within the group's CPU allocation.
struct EvaluationAPIController: Sendable {
    let store: Store

    struct ScheduleDTO: Encodable {
        let id: String
        let workingGroup: String
        /// null when the schedule follows the group's newest published checkpoint.
        let checkpointId: String?
        /// slug@version, or "newest".
        let checkpoint: String
        let suite: String
        /// null when the schedule fires on every checkpoint the group publishes.
        let cron: String?
        /// "cron" or "new_checkpoint".
        let trigger: String
        let enabled: Bool
        let nextDueAt: Date?
        let createdAt: Date
        let url: String

        init(_ l: ScheduleStore.Listing) {
            self.id = l.schedule.id.description
            self.workingGroup = l.groupSlug
            self.checkpointId = l.schedule.checkpointID?.description
            self.checkpoint = l.checkpointSlug.map { "\($0)@\(l.checkpointVersion ?? "")" } ?? "newest"
            self.suite = l.suiteSlug
            self.cron = l.schedule.cron
            self.trigger = l.schedule.firesOnNewCheckpoints ? "new_checkpoint" : "cron"
            self.enabled = l.schedule.enabled
            self.nextDueAt = l.schedule.nextDueAt
            self.createdAt = l.createdAt
            self.url = "/api/v1/schedules/\(l.schedule.id)"
        }
    }

    struct ResultDTO: Encodable {
        let task: String
        let metric: String
        let value: Double
        let stderr: Double?
        let samples: Int?
    }

    struct RunDTO: Encodable {
        let id: String
        let workingGroup: String
        let checkpointId: String
        let checkpoint: String
        let suite: String
        let scheduleId: String?
        let status: String
        let attempts: Int
        let queuedAt: Date
        let startedAt: Date?
        let finishedAt: Date?
        let error: String?
        let allocationId: String?
        let reservedCpuHours: Decimal
        let checkpointSha256: String?
        /// task, task_index, tasks, done, total while running.
        let progress: EmbeddedJSON
        let wallSeconds: Double?
        let cpuSeconds: Double?
        let chargedCpuHours: Decimal?
        let url: String
        let results: [ResultDTO]?
        let tasks: [OutcomeDTO]?
        let reproducibility: EmbeddedJSON?
        let slurmJobs: [SlurmJobDTO]?

        init(
            _ l: RunStore.Listing, results: [RunStore.ResultListing]? = nil, outcomes: [RunStore.TaskOutcomeListing]? = nil,
            slurmJobs: [SlurmJobStore.Job]? = nil
        ) {
            self.id = l.run.id.description
            self.workingGroup = l.groupSlug
            self.checkpointId = l.run.checkpointID.description
            self.checkpoint = "\(l.checkpointSlug)@\(l.checkpointVersion)"
            self.suite = l.suiteSlug
            self.scheduleId = l.run.scheduleID?.description
            self.status = l.run.status.rawValue
            self.attempts = l.run.attempts
            self.queuedAt = l.run.queuedAt
            self.startedAt = l.run.startedAt
            self.finishedAt = l.run.finishedAt
            self.error = l.run.error
            self.allocationId = l.allocationID?.description
            self.reservedCpuHours = l.reservedAmount
            self.checkpointSha256 = l.checkpointSHA256
            self.progress = EmbeddedJSON(l.progress)
            self.wallSeconds = l.wallSeconds
            self.cpuSeconds = l.cpuSeconds
            self.chargedCpuHours = l.chargedAmount
            self.url = "/api/v1/runs/\(l.run.id)"
            self.tasks = outcomes?.map(OutcomeDTO.init)
            self.reproducibility = outcomes == nil ? nil : EmbeddedJSON(l.reproducibility)
            self.slurmJobs = slurmJobs?.map(SlurmJobDTO.init)
            self.results = results?.map {
                ResultDTO(
                    task: $0.taskSlug, metric: $0.result.metric, value: $0.result.value, stderr: $0.result.standardError, samples: $0.result.samples)
            }
        }
    }

    /// The Slurm batch job of one attempt of a run.
    struct SlurmJobDTO: Encodable {
        let attempt: Int
        let jobId: String
        let account: String
        let partition: String?
        let timeLimitMinutes: Int
        let state: String
        let exitCode: String?
        let elapsedSeconds: Double?
        let cpuSeconds: Double?
        let submittedAt: Date

        init(_ job: SlurmJobStore.Job) {
            self.attempt = job.attempt
            self.jobId = job.jobID
            self.account = job.account
            self.partition = job.partition
            self.timeLimitMinutes = job.timeLimitMinutes
            self.state = job.state
            self.exitCode = job.exitCode
            self.elapsedSeconds = job.elapsedSeconds
            self.cpuSeconds = job.cpuSeconds
            self.submittedAt = job.submittedAt
        }
    }

    /// A task's outcome in a run: how much it scored, how long it took, its details and reproducibility record.
    struct OutcomeDTO: Encodable {
        let task: String
        let kind: String
        let items: Int
        let tokens: Int64
        let wallSeconds: Double
        let details: EmbeddedJSON
        let reproducibility: EmbeddedJSON

        init(_ o: RunStore.TaskOutcomeListing) {
            self.task = o.taskSlug
            self.kind = o.kind
            self.items = o.items
            self.tokens = o.tokens
            self.wallSeconds = o.wallSeconds
            self.details = EmbeddedJSON(o.details)
            self.reproducibility = EmbeddedJSON(o.reproducibility)
        }
    }

    struct SuiteDTO: Encodable {
        let slug: String
        let name: String
        let description: String
        let tasks: [String]
    }

    struct CreateScheduleRequest: KnownFields {
        static let fields: Set<String> = ["working_group", "checkpoint", "suite", "cron", "enabled"]
        let workingGroup: String
        /// A checkpoint id, or "newest".
        let checkpoint: String
        let suite: String
        /// Absent or null: fire on every checkpoint the group publishes (needs checkpoint "newest").
        let cron: String?
        let enabled: Bool?
    }

    struct UpdateScheduleRequest: KnownFields {
        static let fields: Set<String> = ["cron", "enabled"]
        let cron: String?
        let enabled: Bool?
    }

    struct QueueRunRequest: KnownFields {
        static let fields: Set<String> = ["working_group", "checkpoint", "suite", "reserve_cpu_hours"]
        let workingGroup: String
        let checkpoint: String
        let suite: String
        let reserveCpuHours: Decimal?
    }

    struct CancelRequest: KnownFields {
        static let fields: Set<String> = ["reason"]
        let reason: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/api/v1/evaluation-suites") { request, _ in
            let items = try await self.store.evaluations.suites().map { entry in
                SuiteDTO(slug: entry.suite.slug, name: entry.suite.name, description: entry.suite.description, tasks: entry.taskSlugs)
            }
            return try JSONResponse.make(ListDTO(items: items, next: nil), request: request)
        }
        let schedules = router.group("/api/v1/schedules")
        schedules.get { request, _ in
            let page = try Page(request: request)
            let group = request.uri.queryParameters["working_group"].map(String.init)
            let items = try await self.store.schedules.page(group: group, after: try page.afterID(Schedule.self), limit: page.limit)
            let next = page.next(
                path: Page.path("/api/v1/schedules", filters: [("working_group", group)]), lastKey: items.last?.schedule.id.description,
                count: items.count)
            return try JSONResponse.make(ListDTO(items: items.map(ScheduleDTO.init), next: next.url), request: request, extraHeaders: next.headers)
        }
        schedules.post { request, context in try await self.createSchedule(request, context: context) }
        schedules.get("{id}") { request, context in try JSONResponse.make(ScheduleDTO(try await self.schedule(context)), request: request) }
        schedules.patch("{id}") { request, context in
            let identity = try context.requireWriter()
            let listing = try await self.schedule(context)
            try MembershipAPIController.requireChair(identity, of: listing.groupSlug)
            let body = try await request.decode(as: UpdateScheduleRequest.self, context: context)
            let after = try await self.store.schedules.update(
                listing.schedule.id, cron: try body.cron.map { try CronExpression($0) }, enabled: body.enabled,
                precondition: Self.schedulePrecondition(request), actor: identity.actor)
            return try JSONResponse.make(ScheduleDTO(after), request: request)
        }
        schedules.delete("{id}") { request, context in
            let identity = try context.requireWriter()
            let listing = try await self.schedule(context)
            try MembershipAPIController.requireChair(identity, of: listing.groupSlug)
            try await self.store.schedules.delete(
                listing.schedule.id, precondition: Self.schedulePrecondition(request), actor: identity.actor)
            return Response(status: .noContent)
        }

        let runs = router.group("/api/v1/runs")
        runs.get { request, _ in try await self.listRuns(request) }
        runs.post { request, context in try await self.queueRun(request, context: context) }
        runs.get("{id}") { request, context in
            let listing = try await self.run(context)
            return try JSONResponse.make(
                RunDTO(
                    listing, results: try await self.store.runs.results(of: listing.run.id),
                    outcomes: try await self.store.runs.outcomes(of: listing.run.id),
                    slurmJobs: try await self.store.slurmJobs.jobs(of: listing.run.id)),
                request: request)
        }
        runs.post("{id}/cancel") { request, context in
            let identity = try context.requireWriter()
            let listing = try await self.run(context)
            let mayCancel =
                identity.isAdmin || identity.roles[listing.groupSlug] == .chair
                || (listing.run.requestedBy == identity.member.id && identity.roles[listing.groupSlug] != nil)
            guard mayCancel else {
                throw Problem.forbidden("only whoever queued this run, chairs of '\(listing.groupSlug)' and administrators can cancel it")
            }
            let body = try await request.decode(as: CancelRequest.self, context: context)
            let after = try await self.store.runs.cancel(listing.run.id, reason: body.reason, actor: identity.actor)
            return try JSONResponse.make(RunDTO(after, results: []), request: request)
        }
    }

    // MARK: Schedules

    private func createSchedule(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireWriter()
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let body = try await request.decode(as: CreateScheduleRequest.self, context: context)
        let newest = body.checkpoint == "newest"
        let (group, checkpoint, suite) = try await self.resolve(
            group: body.workingGroup, checkpoint: newest ? nil : body.checkpoint, suite: body.suite)
        try MembershipAPIController.requireChair(identity, of: group.slug.rawValue)
        let cron = try body.cron.map { try CronExpression($0) }
        if cron == nil && !newest {
            throw Problem.invalid(field: "cron", "is required unless the schedule follows the newest checkpoint (checkpoint \"newest\")")
        }
        return try await Idempotency(store: self.store.idempotency).run(request, body: buffer, context: context) {
            let listing = try await self.store.schedules.create(
                group: group.id, checkpoint: checkpoint, suite: suite.id, cron: cron, enabled: body.enabled ?? true,
                actor: identity.actor)
            let data = try JSONResponse.encoder.encode(ScheduleDTO(listing))
            return (.created, [.contentType: "application/json; charset=utf-8", .location: "/api/v1/schedules/\(listing.schedule.id)"], data)
        }
    }

    private func schedule(_ context: AppRequestContext) async throws -> ScheduleStore.Listing {
        let raw = try context.parameters.require("id")
        guard let id = Identifier<Schedule>(raw), let listing = try await self.store.schedules.find(id) else {
            throw Problem.notFound("no schedule '\(raw.prefix(80))'")
        }
        return listing
    }

    static func schedulePrecondition(_ request: Request) -> ScheduleStore.Precondition? {
        JSONResponse.precondition(request, what: "schedule") { try JSONResponse.etag(of: ScheduleDTO($0)) }
    }

    // MARK: Runs

    private func listRuns(_ request: Request) async throws -> Response {
        let page = try Page(request: request)
        let query = request.uri.queryParameters
        var filter = RunStore.Filter()
        filter.group = query["working_group"].map(String.init)
        filter.status = try Page.choice(request, "status")
        if let checkpoint = query["checkpoint"] {
            guard let id = Identifier<Artifact>(String(checkpoint)) else { throw Problem.invalid(field: "checkpoint", "must be an artifact id") }
            filter.checkpoint = id
        }
        filter.task = query["task"].map(String.init)
        filter.queuedSince = try Self.instant(query["queued_since"].map(String.init), field: "queued_since")
        filter.queuedBefore = try Self.instant(query["queued_before"].map(String.init), field: "queued_before")
        let items = try await self.store.runs.page(filter, after: try page.afterPosition(EvalRun.self), limit: page.limit)
        let path = Page.path(
            "/api/v1/runs",
            filters: [
                ("working_group", filter.group), ("status", filter.status?.rawValue), ("checkpoint", filter.checkpoint?.description),
                ("task", filter.task), ("queued_since", query["queued_since"].map(String.init)),
                ("queued_before", query["queued_before"].map(String.init)),
            ])
        let next = page.next(path: path, lastKey: items.last.map { "\($0.position):\($0.run.id)" }, count: items.count)
        return try JSONResponse.make(ListDTO(items: items.map { RunDTO($0) }, next: next.url), request: request, extraHeaders: next.headers)
    }

    /// An ISO-8601 instant (`2026-11-30T12:00:00Z`) or day (`2026-11-30`, midnight UTC) from a query parameter.
    static func instant(_ text: String?, field: String) throws -> Date? {
        guard let text else { return nil }
        if let date = ISO8601DateFormatter().date(from: text) ?? ISODay.parse(text) { return date }
        throw Problem.invalid(field: field, "must be an ISO-8601 time (2026-11-30T12:00:00Z) or day (2026-11-30)")
    }

    private func queueRun(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.requireWriter()
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let body = try await request.decode(as: QueueRunRequest.self, context: context)
        let (group, named, suite) = try await self.resolve(group: body.workingGroup, checkpoint: body.checkpoint, suite: body.suite)
        guard let checkpoint = named else { throw Problem.invalid(field: "checkpoint", "names no artifact") }
        if !identity.isAdmin {
            guard let role = identity.roles[group.slug.rawValue], role != .observer else {
                throw Problem.forbidden("only chairs and members of '\(group.slug)' and administrators can queue its evaluations")
            }
        }
        let reserve = body.reserveCpuHours ?? 1
        // reserved_amount is numeric(14, 4).
        guard reserve > 0, reserve < 10_000_000_000 else {
            throw Problem.invalid(field: "reserve_cpu_hours", "must be more than 0 and less than 10000000000")
        }
        return try await Idempotency(store: self.store.idempotency).run(request, body: buffer, context: context) {
            let listing = try await self.store.runs.queue(
                group: group.id, checkpoint: checkpoint, suite: suite.id, reserve: reserve, actor: identity.actor)
            let data = try JSONResponse.encoder.encode(RunDTO(listing, results: []))
            return (.created, [.contentType: "application/json; charset=utf-8", .location: "/api/v1/runs/\(listing.run.id)"], data)
        }
    }

    private func run(_ context: AppRequestContext) async throws -> RunStore.Listing {
        let raw = try context.parameters.require("id")
        guard let id = Identifier<EvalRun>(raw), let listing = try await self.store.runs.find(id) else {
            throw Problem.notFound("no run '\(raw.prefix(80))'")
        }
        return listing
    }

    // MARK: Shared

    /// The group, checkpoint (when one is named) and suite a request names.
    private func resolve(
        group: String, checkpoint: String?, suite: String
    ) async throws -> (WorkingGroup, Identifier<Artifact>?, EvaluationSuite) {
        guard let slug = try? Slug(group), let found = try await self.store.workingGroups.find(slug: slug) else {
            throw Problem.invalid(field: "working_group", "names no working group")
        }
        var checkpointID: Identifier<Artifact>?
        if let checkpoint {
            guard let id = Identifier<Artifact>(checkpoint), try await self.store.artifacts.find(id) != nil else {
                throw Problem.invalid(field: "checkpoint", "names no artifact (give the checkpoint's id, or \"newest\" for a schedule)")
            }
            checkpointID = id
        }
        guard let suiteRecord = try await self.store.evaluations.suite(slug: suite) else {
            throw Problem.invalid(field: "suite", "names no evaluation suite")
        }
        return (found, checkpointID, suiteRecord)
    }
}
