import ArgumentParser
import Database
import Domain
import Foundation
import Store

extension Consortium {
    /// `consortium eval …`: submit, follow, inspect, cancel and re-run evaluations; manage schedules.
    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Submit, follow, show, cancel and re-run evaluation runs; list and create schedules.",
            subcommands: [Submit.self, Show.self, List.self, Cancel.self, Rerun.self, Schedules.self, Tasks.self, Suites.self, Exec.self])

        static func runID(_ text: String) throws -> Identifier<EvalRun> {
            guard let id = Identifier<EvalRun>(text) else { throw ValidationError("'\(text)' is not a run id (a UUID)") }
            return id
        }

        /// Opens the database (schema checked), finds the run `text` names, and hands both to `body`.
        static func withRun(_ text: String, options: GlobalOptions, _ body: (Store, RunStore.Listing) async throws -> Void) async throws {
            let id = try runID(text)
            let pool = try await options.migratedPool()
            defer { pool.shutdown() }
            let store = Store(pool: pool)
            try await body(store, try await find(id, in: store))
        }

        static func find(_ id: Identifier<EvalRun>, in store: Store) async throws -> RunStore.Listing {
            guard let listing = try await store.runs.find(id) else { throw CommandError("no run \(id)") }
            return listing
        }

        /// A checkpoint by id, `slug` (the newest published version) or `slug@version`, within the group.
        static func checkpoint(_ reference: String, group: WorkingGroup, in store: Store) async throws -> Artifact {
            let checkpoints = try await store.artifacts.list(group: group.id, kind: .checkpoint).filter { $0.status == .published }
            if let id = Identifier<Artifact>(reference) {
                guard let found = checkpoints.first(where: { $0.id == id }) else {
                    throw CommandError("no published checkpoint \(reference) in \(group.slug)")
                }
                return found
            }
            let parts = reference.split(separator: "@", maxSplits: 1).map(String.init)
            let matching = checkpoints.filter { $0.slug == parts[0] && (parts.count == 1 || $0.version == parts[1]) }
            guard let newest = matching.max(by: { ($0.publishedAt ?? .distantPast) < ($1.publishedAt ?? .distantPast) }) else {
                let names = Set(checkpoints.map(\.slug)).sorted().prefix(10).joined(separator: ", ")
                throw CommandError("no published checkpoint '\(reference)' in \(group.slug) (published: \(names.isEmpty ? "none" : names))")
            }
            return newest
        }

        static func group(_ slug: String, in store: Store) async throws -> WorkingGroup {
            guard let parsed = try? Slug(slug), let group = try await store.workingGroups.find(slug: parsed) else {
                throw CommandError("no working group '\(slug)'")
            }
            return group
        }

        static func suite(_ slug: String, in store: Store) async throws -> EvaluationSuite {
            guard let suite = try await store.evaluations.suite(slug: slug) else {
                let known = try await store.evaluations.suites().map(\.suite.slug).joined(separator: ", ")
                throw CommandError("no evaluation suite '\(slug)' (suites: \(known.isEmpty ? "none" : known))")
            }
            return suite
        }

        /// Progress as "task 2/3 multiple_choice: 40/160".
        static func progressLine(_ listing: RunStore.Listing) -> String? {
            struct Progress: Decodable {
                let task: String
                let taskIndex: Int
                let tasks: Int
                let done: Int
                let total: Int
            }
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            guard let p = try? decoder.decode(Progress.self, from: Data(listing.progress.utf8)) else { return nil }
            return "task \(p.taskIndex + 1)/\(p.tasks) \(p.task): \(p.done)/\(p.total)"
        }
    }
}
