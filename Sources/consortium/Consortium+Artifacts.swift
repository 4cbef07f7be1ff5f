import ArgumentParser
import Database
import Domain
import Foundation
import Store

extension Consortium {
    /// `consortium artifacts …`: bring checkpoints and datasets made elsewhere into the consortium.
    struct Artifacts: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import artifacts from folders.", subcommands: [Import.self, Collect.self])

        struct Collect: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "gc",
                abstract: "Remove stored content no artifact file refers to (kept while younger than --grace-hours).")

            @OptionGroup var options: GlobalOptions

            @Option(help: "Keep unreferenced content younger than this: an upload is stored before its record commits.")
            var graceHours = 24.0

            @Flag(help: "Only list what would be removed.")
            var dryRun = false

            func validate() throws {
                guard self.graceHours >= 1 else { throw ValidationError("--grace-hours must be at least 1") }
            }

            func run() async throws {
                let pool = try await self.options.migratedPool()
                defer { pool.shutdown() }
                let data = self.options.dataDirectory
                let collector = ContentCollector(pool: pool, content: try LocalContentStore(root: data.appendingPathComponent("artifacts")))
                let report = try await collector.collect(grace: self.graceHours * 3600, dryRun: self.dryRun)
                for object in report.unreferenced { print("\(self.dryRun ? "would remove" : "removed") \(object.sha256) \(object.size) bytes") }
                print(
                    "\(report.unreferenced.count) unreferenced objects, \(report.bytes) bytes\(self.dryRun ? " (dry run)" : ""); \(report.kept) kept")
            }
        }

        struct Import: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Register a folder as an artifact: every file uploaded under its relative path, then published (unless --draft).")

            @OptionGroup var options: GlobalOptions

            @Argument(help: "The folder (a Hugging Face model directory, a folder of JSONL datasets…).")
            var directory: String

            @Option(help: "Working group slug.")
            var group: String

            @Option(help: "paper, dataset, checkpoint, tokenizer, model_card, code or report.")
            var kind: String

            @Option(help: "Artifact slug.")
            var slug: String

            @Option(help: "Version label.")
            var version = "1"

            @Option(help: "Title (default: the slug).")
            var title: String?

            @Option(help: "SPDX license identifier.")
            var license: String?

            @Flag(help: "Leave it a draft instead of publishing it.")
            var draft = false

            @Option(help: "Who is importing, for the audit log (default: the OS user).")
            var actor: String = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()

            func run() async throws {
                guard let kind = Artifact.Kind(rawValue: self.kind) else {
                    throw ValidationError("--kind must be one of: \(Artifact.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: self.directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                    throw CommandError("\(self.directory) is not a folder")
                }
                let pool = try await self.options.migratedPool()
                defer { pool.shutdown() }
                let store = Store(pool: pool)
                let group = try await Consortium.Eval.group(self.group, in: store)
                let artifact: Artifact
                do {
                    artifact = try Artifact(
                        workingGroupID: group.id, kind: kind, slug: self.slug, version: self.version, title: self.title ?? self.slug,
                        license: self.license)
                } catch { throw ValidationError("\(error.field): \(error.message)") }
                let data = self.options.dataDirectory
                let importer = ArtifactImporter(
                    artifacts: store.artifacts, content: try LocalContentStore(root: data.appendingPathComponent("artifacts")))
                do {
                    let listing = try await importer.importDirectory(
                        URL(fileURLWithPath: self.directory), as: artifact, publish: !self.draft, actor: Actor(name: self.actor))
                    print(
                        "\(listing.artifact.id) \(listing.groupSlug)/\(listing.artifact.slug)@\(listing.artifact.version) \(listing.artifact.status.rawValue)"
                    )
                } catch let error as StoreError {
                    throw CommandError(error.isConflict ? error.detail : "\(error)")
                }
            }
        }
    }
}
