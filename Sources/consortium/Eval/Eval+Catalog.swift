import ArgumentParser
import Database
import Domain
import Evaluation
import Foundation
import Store

extension Consortium.Eval {
    struct Tasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define evaluation tasks.", subcommands: [CreateTask.self])
    }

    struct CreateTask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Define a task: its kind, parameters and the JSONL file of a published dataset artifact it reads.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Task slug.")
        var slug: String

        @Option(help: "Human name (default: the slug).")
        var name: String?

        @Option(help: "perplexity, multiple_choice, stereotype_pairs, fill_mask_probe or embedding_similarity.")
        var kind: String

        @Option(help: "The dataset artifact: id, or group/slug[@version].")
        var dataset: String

        @Option(help: "The JSONL file's path inside the dataset artifact.")
        var file: String

        @Option(name: .customLong("param"), help: "A parameter as name=value (repeatable): limit, batch_size, max_length, stride, top_k.")
        var parameters: [String] = []

        func run() async throws {
            guard let kind = TaskKind(rawValue: self.kind), let recordKind = EvaluationTask.Kind(rawValue: self.kind) else {
                throw ValidationError("--kind must be one of: \(TaskKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var config: [String: String] = [:]
            for parameter in self.parameters {
                let parts = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { throw ValidationError("--param takes name=value, not '\(parameter)'") }
                config[parts[0]] = parts[1]
            }
            do { _ = try TaskParameters(config, for: kind) } catch { throw ValidationError("--param: \(error.detail)") }
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let store = Store(pool: pool)
            let dataset = try await Self.dataset(self.dataset, in: store)
            guard try await store.artifacts.file(of: dataset.id, path: self.file) != nil else {
                throw CommandError("\(dataset.slug)@\(dataset.version) has no file '\(self.file)'")
            }
            let task: EvaluationTask
            do {
                task = try EvaluationTask(
                    slug: self.slug, name: self.name ?? self.slug, kind: recordKind, config: config, metrics: recordKind.metrics,
                    datasetArtifactID: dataset.id, datasetPath: self.file)
            } catch { throw ValidationError("\(error.field): \(error.message)") }
            do {
                try await store.evaluations.create(task)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw CommandError("a task '\(self.slug)' exists already")
            }
            print("task \(task.slug) (\(kind.rawValue)) reads \(dataset.slug)@\(dataset.version)/\(self.file)")
        }

        /// A published dataset by id or group/slug[@version] (newest published version).
        static func dataset(_ reference: String, in store: Store) async throws -> Artifact {
            if let id = Identifier<Artifact>(reference) {
                guard let listing = try await store.artifacts.find(id), listing.artifact.kind == .dataset, listing.artifact.status == .published
                else {
                    throw CommandError("no published dataset \(reference)")
                }
                return listing.artifact
            }
            let parts = reference.split(separator: "/", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--dataset takes an artifact id or group/slug[@version]") }
            let group = try await Consortium.Eval.group(parts[0], in: store)
            let nameParts = parts[1].split(separator: "@", maxSplits: 1).map(String.init)
            let matching = try await store.artifacts.list(group: group.id, kind: .dataset).filter {
                $0.status == .published && $0.slug == nameParts[0] && (nameParts.count == 1 || $0.version == nameParts[1])
            }
            guard let newest = matching.max(by: { ($0.publishedAt ?? .distantPast) < ($1.publishedAt ?? .distantPast) }) else {
                throw CommandError("no published dataset '\(parts[1])' in \(group.slug)")
            }
            return newest
        }
    }

    struct Suites: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Define evaluation suites.", subcommands: [CreateSuite.self])
    }

    struct CreateSuite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Define a suite: tasks run in the order given.")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Suite slug.")
        var slug: String

        @Option(help: "Human name (default: the slug).")
        var name: String?

        @Argument(help: "Task slugs, in order (none: an empty suite, which succeeds at once — for queue tests).")
        var tasks: [String] = []

        func run() async throws {
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let store = Store(pool: pool)
            var ids: [Identifier<EvaluationTask>] = []
            for slug in self.tasks {
                guard
                    let row = try await pool.query("SELECT id::text AS id FROM evaluation_tasks WHERE slug = \(slug)").first,
                    let id = Identifier<EvaluationTask>(try row.decode("id", as: String.self))
                else { throw CommandError("no task '\(slug)'") }
                ids.append(id)
            }
            let suite: EvaluationSuite
            do {
                suite = try EvaluationSuite(slug: self.slug, name: self.name ?? self.slug, taskIDs: ids)
            } catch { throw ValidationError("\(error.field): \(error.message)") }
            do {
                try await store.evaluations.create(suite)
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw CommandError("a suite '\(self.slug)' exists already (or a task is listed twice)")
            }
            print("suite \(suite.slug): \(self.tasks.isEmpty ? "no tasks" : self.tasks.joined(separator: ", "))")
        }
    }
}
