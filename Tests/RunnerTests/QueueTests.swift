import Database
import DatabaseTestSupport
import Domain
import Foundation
import Runner
import Store
import Testing

/// The queue under concurrency: many runners, many runs, several schedulers.
@Suite struct QueueTests {
    @Test func eightRunnersExecuteFiveHundredRunsExactlyOnce() async throws {
        try await TestDatabase.withMigrated(maxConnections: 24) { pool async throws in
            let f = try await RunnerFixture.make(pool, cpuHours: 10_000)
            defer { f.removeData() }
            let empty = try await f.suite("empty", tasks: [])
            for _ in 0..<500 { _ = try await f.queue(f.gpt2, empty) }
            let summaries = try await withThrowingTaskGroup(of: Runner.Summary.self) { group in
                for index in 0..<8 { group.addTask { try await f.runner("runner-\(index)").run() } }
                return try await group.reduce(into: [Runner.Summary]()) { $0.append($1) }
            }
            #expect(summaries.reduce(0) { $0 + $1.succeeded } == 500)
            #expect(summaries.filter { $0.succeeded > 0 }.count > 1, "the work was shared")
            let succeeded: Int64 = try await f.scalar("SELECT count(*) FROM runs WHERE status = 'succeeded' AND attempts = 1")
            let finishes: Int64 = try await f.scalar("SELECT count(*) FROM audit_log WHERE action = 'run.succeed'")
            let distinct: Int64 = try await f.scalar("SELECT count(DISTINCT entity_id) FROM audit_log WHERE action = 'run.succeed'")
            #expect(succeeded == 500 && finishes == 500 && distinct == 500)
        }
    }

    @Test func twoSchedulersQueueOneRunPerSlotAndOneCatchUpAfterDowntime() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let suite = try await f.suite("scheduled", tasks: [])
            let start = Date()
            let schedule = try await f.store.schedules.create(
                group: f.group.id, checkpoint: f.gpt2, suite: suite.id, cron: try CronExpression("*/5 * * * *"), enabled: true, now: start,
                actor: f.actor)
            let due = try #require(schedule.schedule.nextDueAt)
            // Downtime: the schedulers wake up three hours after the first slot, both at once.
            let late = due.addingTimeInterval(3 * 3600)
            async let a = f.store.schedules.queueDue(now: late)
            async let b = f.store.schedules.queueDue(now: late)
            let created = try await a + b
            #expect(created.count == 1)
            let runs: Int64 = try await f.scalar("SELECT count(*) FROM runs WHERE schedule_id = \(schedule.schedule.id)")
            let dueAt: Date = try await f.scalar("SELECT due_at FROM runs WHERE schedule_id = \(schedule.schedule.id)")
            #expect(runs == 1 && abs(dueAt.timeIntervalSince(due)) < 0.001)
            let next = try #require(try await f.store.schedules.find(schedule.schedule.id)?.schedule.nextDueAt)
            #expect(next > late && next <= late.addingTimeInterval(300))
            // Nothing more is due until the next slot.
            #expect(try await f.store.schedules.queueDue(now: late).isEmpty)
            #expect(try await f.store.schedules.queueDue(now: next).count == 1)
            #expect(try await f.runner("r").run().succeeded == 2)
        }
    }
}

/// Schedules that follow the group's newest checkpoint, and schedules that fire when the group publishes one.
@Suite struct ScheduleTriggerTests {
    /// Publishes another copy of tiny-gpt2 as a new version of `slug`.
    private func publish(_ f: RunnerFixture, slug: String, version: String) async throws -> Identifier<Artifact> {
        try await ArtifactImporter(artifacts: f.store.artifacts, content: f.content).importDirectory(
            TestDatabase.repositoryRoot.appendingPathComponent("Tests/InferenceTests/Fixtures/tiny-gpt2"), files: ["config.json", "tokenizer.json"],
            as: try Artifact(workingGroupID: f.group.id, kind: .checkpoint, slug: slug, version: version, title: "\(slug) \(version)"), publish: true,
            actor: f.actor
        ).artifact.id
    }

    @Test func aCronScheduleFollowingTheNewestCheckpointEvaluatesWhicheverIsNewestWhenDue() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let suite = try await f.suite("nightly", tasks: [])
            let start = Date()
            let schedule = try await f.store.schedules.create(
                group: f.group.id, checkpoint: nil, suite: suite.id, cron: try CronExpression("0 * * * *"), enabled: true, now: start, actor: f.actor)
            #expect(schedule.checkpointSlug == nil && schedule.schedule.checkpointID == nil)
            let newest = try await publish(f, slug: "series", version: "7")
            let due = try #require(schedule.schedule.nextDueAt)
            let created = try await f.store.schedules.queueDue(now: due.addingTimeInterval(1))
            #expect(created.count == 1)
            #expect(try await f.store.runs.find(try #require(created.first))?.run.checkpointID == newest)
        }
    }

    @Test func publishingACheckpointQueuesItOncePerOnNewCheckpointSchedule() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let f = try await RunnerFixture.make(pool)
            defer { f.removeData() }
            let suite = try await f.suite("on-publish", tasks: [])
            let other = try await f.suite("paused", tasks: [])
            let schedule = try await f.store.schedules.create(
                group: f.group.id, checkpoint: nil, suite: suite.id, cron: nil, enabled: true, actor: f.actor)
            #expect(schedule.schedule.firesOnNewCheckpoints && schedule.schedule.nextDueAt == nil)
            _ = try await f.store.schedules.create(group: f.group.id, checkpoint: nil, suite: other.id, cron: nil, enabled: false, actor: f.actor)
            // A fixed checkpoint cannot fire on new ones.
            await #expect(throws: DomainValidationError.self) {
                try await f.store.schedules.create(group: f.group.id, checkpoint: f.gpt2, suite: suite.id, cron: nil, enabled: true, actor: f.actor)
            }
            let first = try await publish(f, slug: "series", version: "1")
            let second = try await publish(f, slug: "series", version: "2")
            let runs = try await f.store.runs.page(.init(group: f.group.slug.rawValue), after: nil, limit: 10)
            let scheduled = runs.filter { $0.run.scheduleID == schedule.schedule.id }
            #expect(Set(scheduled.map(\.run.checkpointID)) == [first, second])
            #expect(scheduled.allSatisfy { $0.run.status == .queued && $0.run.dueAt == nil })
            #expect(runs.filter { $0.suiteSlug == "paused" }.isEmpty, "a disabled schedule fires for nothing")
            // Cron passes leave on-new-checkpoint schedules alone.
            #expect(try await f.store.schedules.queueDue(now: Date().addingTimeInterval(86_400 * 400)).isEmpty)
            #expect(try await f.runner("r").run().succeeded == 2)
        }
    }
}
