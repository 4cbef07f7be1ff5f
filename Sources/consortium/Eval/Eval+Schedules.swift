import ArgumentParser
import Database
import Domain
import Foundation
import Store

extension Consortium.Eval {
    struct Schedules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List and create evaluation schedules (5-field cron, UTC).",
            subcommands: [ListSchedules.self, CreateSchedule.self, PauseSchedule.self, ResumeSchedule.self, DeleteSchedule.self])
    }

    struct ListSchedules: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List schedules with their next due time.")

        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OutputOptions

        @Option(help: "Only this working group's schedules.")
        var group: String?

        func run() async throws {
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let schedules = try await Store(pool: pool).schedules.page(group: self.group, after: nil, limit: 10_000)
            let iso = ISO8601DateFormatter()
            self.output.emit(
                columns: [
                    ("ID", "id"), ("GROUP", "group"), ("CHECKPOINT", "checkpoint"), ("CRON", "cron"), ("ENABLED", "enabled"), ("NEXT", "next_due_at"),
                ],
                rows: schedules.map { l in
                    [
                        l.schedule.id.description, l.groupSlug, l.checkpointSlug.map { "\($0)@\(l.checkpointVersion ?? "")" } ?? "newest",
                        l.schedule.cron ?? "on new checkpoint", String(l.schedule.enabled),
                        l.schedule.nextDueAt.map(iso.string(from:)) ?? "",
                    ]
                })
        }
    }

    struct CreateSchedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Evaluate a checkpoint on a suite on a cron schedule.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Working group slug.")
        var group: String

        @Option(help: "Checkpoint: artifact id, slug (newest published version), slug@version, or 'newest' (whichever is newest when it fires).")
        var checkpoint: String

        @Option(help: "Evaluation suite slug.")
        var suite: String

        @Option(help: "Five-field cron expression in UTC, or @daily, @hourly, @weekly…")
        var cron: String?

        @Flag(help: "Instead of a cron expression: evaluate every checkpoint the group publishes (with --checkpoint newest).")
        var onNewCheckpoint = false

        func validate() throws {
            guard (self.cron == nil) == self.onNewCheckpoint else { throw ValidationError("pass either --cron or --on-new-checkpoint") }
            if self.onNewCheckpoint && self.checkpoint != "newest" { throw ValidationError("--on-new-checkpoint needs --checkpoint newest") }
        }

        @Option(help: "Who is creating it, for the audit log (default: the OS user).")
        var actor: String = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()

        func run() async throws {
            var cron: CronExpression?
            if let text = self.cron {
                do { cron = try CronExpression(text) } catch { throw ValidationError("--cron: \(error.message)") }
            }
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let store = Store(pool: pool)
            let group = try await Consortium.Eval.group(self.group, in: store)
            let checkpoint = self.checkpoint == "newest" ? nil : try await Consortium.Eval.checkpoint(self.checkpoint, group: group, in: store)
            let suite = try await Consortium.Eval.suite(self.suite, in: store)
            do {
                let listing = try await store.schedules.create(
                    group: group.id, checkpoint: checkpoint?.id, suite: suite.id, cron: cron, enabled: true, actor: Actor(name: self.actor))
                let next = listing.schedule.nextDueAt.map { "next run " + ISO8601DateFormatter().string(from: $0) }
                print("schedule \(listing.schedule.id): \(next ?? "runs whenever \(group.slug) publishes a checkpoint")")
            } catch let error as StoreError where error.isConflict {
                throw CommandError(error.detail)
            }
        }
    }

    /// The schedule id argument and the store call every change of one schedule shares.
    struct ScheduleChange: ParsableArguments {
        @OptionGroup var options: GlobalOptions

        @Argument(help: "The schedule id.")
        var schedule: String

        @Option(help: "Who is acting, for the audit log (default: the OS user).")
        var actor: String = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()

        func perform(_ change: (ScheduleStore, Identifier<Schedule>, Actor) async throws -> String) async throws {
            guard let id = Identifier<Schedule>(self.schedule) else { throw ValidationError("'\(self.schedule)' is not a schedule id (a UUID)") }
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            do {
                print(try await change(Store(pool: pool).schedules, id, Actor(name: self.actor)))
            } catch let error as StoreError {
                throw CommandError(error.isConflict ? error.detail : "\(error)")
            }
        }
    }

    struct PauseSchedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pause", abstract: "Stop a schedule from firing (it keeps its settings).")
        @OptionGroup var change: ScheduleChange

        func run() async throws {
            try await self.change.perform { store, id, actor in
                _ = try await store.update(id, cron: nil, enabled: false, precondition: nil, actor: actor)
                return "paused schedule \(id)"
            }
        }
    }

    struct ResumeSchedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "resume", abstract: "Let a paused schedule fire again (from its next slot).")
        @OptionGroup var change: ScheduleChange

        func run() async throws {
            try await self.change.perform { store, id, actor in
                let listing = try await store.update(id, cron: nil, enabled: true, precondition: nil, actor: actor)
                return "resumed schedule \(id)" + (listing.schedule.nextDueAt.map { ": next run " + ISO8601DateFormatter().string(from: $0) } ?? "")
            }
        }
    }

    struct DeleteSchedule: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a schedule (its runs stay).")
        @OptionGroup var change: ScheduleChange

        func run() async throws {
            try await self.change.perform { store, id, actor in
                try await store.delete(id, precondition: nil, actor: actor)
                return "deleted schedule \(id)"
            }
        }
    }
}
