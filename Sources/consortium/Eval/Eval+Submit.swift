import ArgumentParser
import Database
import Domain
import Foundation
import Store

#if canImport(Glibc)
    import Glibc
#endif

extension Consortium.Eval {
    struct Submit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Queue an evaluation of a group's checkpoint on a suite; prints the run id (--wait follows it to the end).")

        @OptionGroup var options: GlobalOptions

        @Option(help: "Working group slug.")
        var group: String

        @Option(help: "Checkpoint: artifact id, slug (newest published version) or slug@version.")
        var checkpoint: String

        @Option(help: "Evaluation suite slug.")
        var suite: String

        @Option(help: "CPU-hours to reserve on the group's allocation until the run is charged.")
        var reserve: Double = 1

        @Flag(help: "Follow the run to the end with a progress bar; the exit status says whether it succeeded.")
        var wait = false

        @Flag(help: "Print the run as JSON.")
        var json = false

        @Option(help: "Who is submitting, for the audit log (default: the OS user).")
        var actor: String = ProcessInfo.processInfo.environment["USER"].flatMap { $0.isEmpty ? nil : $0 } ?? NSUserName()

        func validate() throws {
            guard self.reserve > 0, self.reserve < 1e9 else { throw ValidationError("--reserve must be more than 0 and less than 1000000000") }
        }

        func run() async throws {
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let store = Store(pool: pool)
            let group = try await Consortium.Eval.group(self.group, in: store)
            let checkpoint = try await Consortium.Eval.checkpoint(self.checkpoint, group: group, in: store)
            let suite = try await Consortium.Eval.suite(self.suite, in: store)
            let listing: RunStore.Listing
            do {
                listing = try await store.runs.queue(
                    group: group.id, checkpoint: checkpoint.id, suite: suite.id, reserve: Decimal(self.reserve), actor: Actor(name: self.actor))
            } catch let error as StoreError where error.isConflict {
                throw CommandError(error.detail)
            }
            if !self.wait {
                print(self.json ? try RunJSON.render(listing, results: []) : listing.run.id.description)
                return
            }
            FileHandle.standardError.write(Data("queued run \(listing.run.id)\n".utf8))
            let finished = try await Self.follow(listing.run.id, store: store)
            let results = try await store.runs.results(of: finished.run.id)
            print(self.json ? try RunJSON.render(finished, results: results) : RunText.render(finished, results: results))
            if finished.run.status != .succeeded { throw ExitCode(1) }
        }

        /// Polls the run until it finishes, drawing a progress bar on a terminal (a line per change otherwise).
        static func follow(_ id: Identifier<EvalRun>, store: Store) async throws -> RunStore.Listing {
            let terminal = isatty(STDERR_FILENO) == 1
            var last = ""
            while true {
                let listing = try await Consortium.Eval.find(id, in: store)
                if listing.run.status.isFinished {
                    if terminal { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
                    return listing
                }
                let line = Self.bar(listing)
                if line != last {
                    FileHandle.standardError.write(Data((terminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
                    last = line
                }
                try await Task.sleep(for: .milliseconds(500))
            }
        }

        static func bar(_ listing: RunStore.Listing) -> String {
            guard listing.run.status == .running, let progress = Consortium.Eval.progressLine(listing) else {
                return "\(listing.run.status.rawValue)…"
            }
            let numbers = progress.split(separator: " ").last?.split(separator: "/").compactMap { Double($0) } ?? []
            let fraction = numbers.count == 2 && numbers[1] > 0 ? numbers[0] / numbers[1] : 0
            let filled = Int((fraction * 30).rounded(.down))
            return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled) + "] " + progress
        }
    }
}
