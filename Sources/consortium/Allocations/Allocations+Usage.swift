import ArgumentParser
import Database
import Domain
import Foundation
import Store

#if canImport(Glibc)
    import Glibc
#endif

extension Consortium.Allocations {
    struct Charge: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Charge usage to an allocation (refused if it would overspend).")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var mutation: MutationOptions
        @Argument(help: "The allocation id.") var id: String
        @Option(help: "Units used.") var amount: String
        @Option(help: "slurm, evaluation_runner, manual or adjustment.") var source: String = "manual"
        @Option(help: "Job or run id at the source; the same one is charged once.") var externalID: String?
        @Option(help: "Note.") var note: String = ""

        func run() async throws {
            let allocationID = try Consortium.Allocations.allocationID(id)
            let value = try Parse.amount(amount, option: "--amount")
            guard value >= 0 else { throw ValidationError("--amount must not be negative") }
            guard let sourceValue = UsageRecord.Source(rawValue: source) else {
                throw ValidationError("--source must be one of \(UsageRecord.Source.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            let listing = try await store.find(allocationID)
            guard
                try mutation.confirm(
                    "Charge \(Format.amount(value)) \(Format.unit(listing.resource.unit.rawValue)) to \(Consortium.Allocations.describe(listing))")
            else { return }
            let outcome = try await store.charge(
                .init(allocationID: allocationID, amount: value, source: sourceValue, externalID: externalID, note: note), actor: mutation.identity)
            switch outcome {
            case .charged(let overdraft): print(overdraft ? "Charged, and the allocation is now overdrawn (flagged)." : "Charged.")
            case .duplicate: print("Already charged: \(source) \(externalID ?? "") was recorded before; nothing added.")
            }
        }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Granted, used, remaining, utilisation, energy and emissions per group and resource.",
            discussion: "Granted counts allocations overlapping the period; used counts usage that ended in it.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "One month, YYYY-MM.") var period: String?
        @Option(help: "First day (YYYY-MM-DD).") var from: String?
        @Option(help: "Day after the last day (YYYY-MM-DD).") var to: String?
        @Option(help: "Only this working group.") var group: String?

        func validate() throws {
            if period != nil && (from != nil || to != nil) { throw ValidationError("pass --period or --from/--to, not both") }
        }

        func run() async throws {
            let (start, end) = try self.range()
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            let lines = try await store.report(from: start, to: end, group: group)
            var rows = lines.map { line in
                [
                    line.groupSlug, line.resourceSlug, Format.unit(line.unit.rawValue), Format.amount(line.summary.granted),
                    Format.amount(line.summary.used),
                    Format.amount(line.summary.remaining), line.summary.utilisationPercent.map { Format.amount($0, decimals: 1) } ?? "",
                    Format.amount(line.summary.energyKWh), Format.amount(line.summary.emissionsKg),
                ]
            }
            if !output.json && !output.csv {
                for unit in ComputeResource.Unit.allCases {
                    let same = lines.filter { $0.unit == unit }
                    guard !same.isEmpty else { continue }
                    let total = same.dropFirst().reduce(same[0].summary) { $0 + $1.summary }
                    rows.append([
                        "TOTAL", "", Format.unit(unit.rawValue), Format.amount(total.granted), Format.amount(total.used),
                        Format.amount(total.remaining),
                        total.utilisationPercent.map { Format.amount($0, decimals: 1) } ?? "", Format.amount(total.energyKWh),
                        Format.amount(total.emissionsKg),
                    ])
                }
                print("Compute report \(Format.day(start)) to \(Format.day(end)) (end exclusive)")
            }
            output.emit(
                columns: [
                    ("GROUP", "group"), ("RESOURCE", "resource"), ("UNIT", "unit"), ("GRANTED", "granted"), ("USED", "used"),
                    ("REMAINING", "remaining"),
                    ("UTIL %", "utilisation_percent"), ("ENERGY kWh", "energy_kwh"), ("CO2e kg", "emissions_kg"),
                ],
                rows: rows, numeric: ["granted", "used", "remaining", "utilisation_percent", "energy_kwh", "emissions_kg"])
        }

        private func range() throws -> (Date, Date) {
            if let period {
                guard period.wholeMatch(of: /[0-9]{4}-(0[1-9]|1[0-2])/) != nil, let start = ISO8601DateFormatter.date(from: period + "-01") else {
                    throw ValidationError("--period '\(period)' is not a month like 2026-03")
                }
                var calendar = Calendar(identifier: .gregorian)
                calendar.timeZone = TimeZone(identifier: "UTC")!
                return (start, calendar.date(byAdding: .month, value: 1, to: start) ?? start)
            }
            let start = try from.map { try Parse.day($0, option: "--from") } ?? Date(timeIntervalSince1970: 0)
            let end = try to.map { try Parse.day($0, option: "--to") } ?? Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01
            guard end > start else { throw ValidationError("--to must be after --from") }
            return (start, end)
        }
    }

    struct ImportUsage: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Charge finished Slurm jobs from sacct output; importing the same file again adds nothing.",
            discussion: "Make the file with: sacct --parsable2 --noheader --format=JobID,Account,User,Start,End,Elapsed,AllocTRES,State")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var mutation: MutationOptions
        @Option(help: "Input format (only 'sacct').") var format: String = "sacct"
        @Flag(help: "Import the good lines even when some are bad (otherwise nothing is imported).") var skipBadLines = false
        @Argument(help: "The sacct output file ('-' for standard input).") var file: String

        func validate() throws {
            guard format == "sacct" else { throw ValidationError("--format must be 'sacct'") }
        }

        func run() async throws {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: file) else { throw CommandError("cannot read \(file)") }
                data = contents
            }
            guard let text = String(data: data, encoding: .utf8) else { throw CommandError("\(file) is not UTF-8 text") }
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            let preview = try await store.importSacct(text, actor: mutation.identity, skipBadLines: skipBadLines, dryRun: true)
            try self.reportProblems(preview)
            guard try mutation.confirm("Import \(file): " + Self.describe(preview)) else { return }
            let interactive = isatty(STDERR_FILENO) == 1
            let summary = try await store.importSacct(text, actor: mutation.identity, skipBadLines: skipBadLines) { done, total in
                guard interactive, total > 0, done % max(1, total / 100) == 0 || done == total else { return }
                let width = 30
                let filled = done * width / total
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
                FileHandle.standardError.write(Data("\r\(bar) \(done)/\(total)\(done == total ? "\n" : "")".utf8))
            }
            try self.reportProblems(summary)
            print("Imported: " + Self.describe(summary))
        }

        private func reportProblems(_ summary: AllocationStore.ImportSummary) throws {
            for problem in summary.problems { FileHandle.standardError.write(Data("\(file):\(problem.line): \(problem.message)\n".utf8)) }
            if !summary.problems.isEmpty, !skipBadLines {
                throw CommandError("\(summary.problems.count) bad line(s) in \(file); nothing imported (fix them, or pass --skip-bad-lines)")
            }
        }

        static func describe(_ s: AllocationStore.ImportSummary) -> String {
            let amounts = s.chargedAmount.sorted { $0.key < $1.key }.map { "\(Format.amount($0.value)) \(Format.unit($0.key))" }.joined(
                separator: ", ")
            return "\(s.charged) job(s) charged\(amounts.isEmpty ? "" : " (\(amounts))"), \(s.duplicates) already charged, "
                + "\(s.steps) job step(s) and \(s.unfinished) unfinished job(s) skipped, \(s.zeroUsage) without usage, \(s.problems.count) bad line(s)"
        }
    }

    struct ExportSlurm: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the sacctmgr commands that make one Slurm account per group, limited to its remaining balance.")
        @OptionGroup var options: GlobalOptions

        func run() async throws {
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            let accounts = try await store.slurmAccounts()
            print("# Generated by consortium allocations export-slurm; review, then run with: sh FILE")
            for (account, group, listing) in accounts {
                let minutes = max(0, NSDecimalNumber(decimal: listing.remaining * 60).intValue)
                let tres = listing.resource.unit == .gpuHours ? "gres/gpu=\(minutes)" : "cpu=\(minutes)"
                let cluster = listing.resource.slurmCluster.map { " cluster=\($0)" } ?? ""
                print("sacctmgr -i add account \(account)\(cluster) description=\"\(group)\" organization=consortium")
                print("sacctmgr -i modify account where name=\(account)\(cluster) set GrpTRESMins=\(tres)")
            }
        }
    }
}
