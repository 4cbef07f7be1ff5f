import ArgumentParser
import Database
import Domain
import Foundation
import Store

extension Consortium.Allocations {
    /// The shape of every change to one allocation: a rolled-back run to validate and preview, the question, then the change.
    static func change(
        _ id: String, _ options: GlobalOptions, _ mutation: MutationOptions, verb: String,
        apply: (AllocationStore, Identifier<Allocation>, _ dryRun: Bool) async throws -> AllocationStore.Listing,
        preview: (_ before: AllocationStore.Listing, _ after: AllocationStore.Listing) -> String
    ) async throws {
        let allocationID = try allocationID(id)
        let (store, pool) = try await store(options)
        defer { pool.shutdown() }
        let before = try await store.find(allocationID)
        let after = try await apply(store, allocationID, true)
        guard try mutation.confirm(preview(before, after)) else { return }
        let done = try await apply(store, allocationID, false)
        print("\(verb): \(describe(done))")
    }

    struct Grant: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Grant a working group an allocation of a resource for a period.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var mutation: MutationOptions
        @Option(help: "Working group slug.") var group: String
        @Option(help: "Resource slug.") var resource: String
        @Option(help: "Units to grant (GPU-hours or CPU-hours, per the resource).") var amount: String
        @Option(help: "First day (YYYY-MM-DD).") var from: String
        @Option(help: "Day after the last day (YYYY-MM-DD).") var to: String
        @Option(help: "Why the group gets this.") var justification: String
        @Option(help: "Slurm account the group's jobs run under (for import-usage and export-slurm).") var slurmAccount: String?

        func run() async throws {
            let amountValue = try Parse.amount(amount, option: "--amount")
            guard amountValue >= 0 else { throw ValidationError("--amount must not be negative") }
            let start = try Parse.day(from, option: "--from")
            let end = try Parse.day(to, option: "--to")
            guard end > start else { throw ValidationError("--to (\(to)) must be after --from (\(from))") }
            let period = try DatePeriod(start: start, end: end)
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            // A rolled-back run first, so unknown names and overlaps are reported before anyone is asked.
            _ = try await store.grant(
                group: group, resource: resource, amount: amountValue, period: period, justification: justification,
                slurmAccount: slurmAccount, actor: mutation.identity, dryRun: true)
            let text = "Grant \(group) \(Format.amount(amountValue)) on \(resource), \(from) to \(to)"
            guard try mutation.confirm(text) else { return }
            let allocation = try await store.grant(
                group: group, resource: resource, amount: amountValue, period: period, justification: justification,
                slurmAccount: slurmAccount, actor: mutation.identity)
            print("Granted allocation \(allocation.id)")
        }
    }

    struct Adjust: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add to or take from an allocation's granted amount.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var mutation: MutationOptions
        @Argument(help: "The allocation id.") var id: String
        @Option(parsing: .unconditional, help: "Change, e.g. +500 or -200.") var by: String
        @Option(help: "Why.") var reason: String

        func run() async throws {
            let delta = try Parse.amount(by, option: "--by")
            try await Consortium.Allocations.change(id, options, mutation, verb: "Adjusted") { store, allocation, dryRun in
                try await store.adjust(allocation, by: delta, reason: reason, actor: mutation.identity, dryRun: dryRun)
            } preview: { before, after in
                "Adjust \(Consortium.Allocations.describe(before))\n  → granted \(Format.amount(after.allocation.amount))"
            }
        }
    }

    struct Extend: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Move an allocation's end later.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var mutation: MutationOptions
        @Argument(help: "The allocation id.") var id: String
        @Option(help: "New end (YYYY-MM-DD, the day after the last day).") var to: String
        @Option(help: "Why.") var reason: String = "extension"

        func run() async throws {
            let end = try Parse.day(to, option: "--to")
            try await Consortium.Allocations.change(id, options, mutation, verb: "Extended") { store, allocation, dryRun in
                try await store.extend(allocation, to: end, reason: reason, actor: mutation.identity, dryRun: dryRun)
            } preview: { before, _ in
                "Extend \(Consortium.Allocations.describe(before))\n  → ends \(to)"
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an allocation; usage so far stays recorded.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var mutation: MutationOptions
        @Argument(help: "The allocation id.") var id: String
        @Option(help: "Why.") var reason: String

        func run() async throws {
            try await Consortium.Allocations.change(id, options, mutation, verb: "Revoked") { store, allocation, dryRun in
                try await store.revoke(allocation, reason: reason, actor: mutation.identity, dryRun: dryRun)
            } preview: { before, _ in
                "Revoke \(Consortium.Allocations.describe(before))"
            }
        }
    }

    struct Expire: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark allocations whose period has ended as expired (run it daily, e.g. from cron, with --yes).")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var mutation: MutationOptions
        @Option(help: "Expire what ended on or before this day (YYYY-MM-DD; default: today, UTC).") var asOf: String?

        func run() async throws {
            let day = try asOf.map { try Parse.day($0, option: "--as-of") } ?? Date()
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            let due = try await store.expire(asOf: day, actor: mutation.identity, dryRun: true)
            guard !due.isEmpty else {
                print("No allocation has ended as of \(Format.day(day)).")
                return
            }
            let lines = due.map { "  \(Consortium.Allocations.describe($0))" }.joined(separator: "\n")
            guard try mutation.confirm("Expire \(due.count) allocation(s):\n\(lines)") else { return }
            let expired = try await store.expire(asOf: day, actor: mutation.identity)
            print("Expired \(expired.count) allocation(s).")
        }
    }

    struct Request: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Ask for more hours or a later end; an administrator decides.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var mutation: MutationOptions
        @Argument(help: "The allocation id.") var id: String
        @Option(help: "Additional units wanted.") var more: String?
        @Option(help: "New end wanted (YYYY-MM-DD).") var until: String?
        @Option(help: "Why.") var reason: String

        func validate() throws {
            if (more == nil) == (until == nil) { throw ValidationError("pass exactly one of --more and --until") }
        }

        func run() async throws {
            let allocationID = try Consortium.Allocations.allocationID(id)
            let change: AllocationRequest.Change =
                if let more { .increase(by: try Parse.amount(more, option: "--more")) } else {
                    .extendTo(try Parse.day(until ?? "", option: "--until"))
                }
            let request = try AllocationRequest(allocationID: allocationID, change: change, reason: reason, requestedBy: mutation.actor)
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            let listing = try await store.find(allocationID)
            guard try mutation.confirm("Request \(more.map { "+\($0)" } ?? "end \(until ?? "")") for \(Consortium.Allocations.describe(listing))")
            else {
                return
            }
            try await store.request(request, actor: mutation.identity)
            print("Filed request \(request.id)")
        }
    }

    struct Requests: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List pending change requests, or approve or deny one.",
            discussion:
                "consortium allocations requests              list pending requests\nconsortium allocations requests approve ID   apply the change\nconsortium allocations requests deny ID"
        )
        @OptionGroup var options: GlobalOptions
        @OptionGroup var mutation: MutationOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "approve or deny (omit to list).") var decision: String?
        @Argument(help: "The request id.") var id: String?
        @Option(help: "Note for the requester.") var note: String = ""
        @Flag(help: "List decided requests too.") var all = false

        func validate() throws {
            if let decision, decision != "approve", decision != "deny" { throw ValidationError("expected 'approve' or 'deny', not '\(decision)'") }
            if decision != nil, id == nil { throw ValidationError("which request? pass its id after '\(decision ?? "")'") }
        }

        func run() async throws {
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            guard let decision, let id else {
                let requests = try await store.requests(includeDecided: all)
                output.emit(
                    columns: [
                        ("ID", "id"), ("ALLOCATION", "allocation"), ("CHANGE", "change"), ("STATUS", "status"), ("BY", "requested_by"),
                        ("REASON", "reason"),
                    ],
                    rows: requests.map { r in
                        let change: String =
                            switch r.change {
                            case .increase(let by): "+\(Format.amount(by))"
                            case .extendTo(let end): "until \(Format.day(end))"
                            }
                        return [r.id.description, r.allocationID.description, change, r.status.rawValue, r.requestedBy, r.reason]
                    })
                return
            }
            guard let requestID = Identifier<AllocationRequest>(id) else { throw ValidationError("'\(id)' is not a request id (a UUID)") }
            let approve = decision == "approve"
            _ = try await store.decide(requestID, approve: approve, note: note, actor: mutation.identity, dryRun: true)
            guard try mutation.confirm("\(approve ? "Approve" : "Deny") request \(id)") else { return }
            let decided = try await store.decide(requestID, approve: approve, note: note, actor: mutation.identity)
            print("Request \(decided.id) \(decided.status.rawValue)")
        }
    }
}
