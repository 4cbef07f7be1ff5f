import ArgumentParser
import Database
import Domain
import Foundation
import Store

extension Consortium {
    /// `consortium allocations …`: the compute administrator's tool.
    struct Allocations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Grant, change, charge and report compute allocations; reconcile with Slurm.",
            subcommands: [
                List.self, Show.self, Grant.self, Adjust.self, Extend.self, Revoke.self, Expire.self, Request.self, Requests.self, Charge.self,
                Report.self,
                ImportUsage.self, ExportSlurm.self,
            ])

        /// Opens the pool for one command, checking the schema first.
        static func store(_ options: GlobalOptions) async throws -> (AllocationStore, DatabasePool) {
            let pool = try await options.migratedPool()
            return (AllocationStore(pool: pool), pool)
        }

        static func allocationID(_ text: String) throws -> Identifier<Allocation> {
            guard let id = Identifier<Allocation>(text) else { throw ValidationError("'\(text)' is not an allocation id (a UUID)") }
            return id
        }

        static let listColumns: [(header: String, key: String)] = [
            ("ID", "id"), ("GROUP", "group"), ("RESOURCE", "resource"), ("STATUS", "status"), ("FROM", "from"), ("TO", "to"),
            ("GRANTED", "granted"), ("USED", "used"), ("COMMITTED", "committed"), ("REMAINING", "remaining"), ("UNIT", "unit"),
        ]

        static func listRow(_ l: AllocationStore.Listing) -> [String] {
            [
                l.allocation.id.description, l.groupSlug, l.resource.slug.rawValue, l.allocation.status.rawValue,
                Format.day(l.allocation.period.start),
                Format.day(l.allocation.period.end), Format.amount(l.allocation.amount), Format.amount(l.used), Format.amount(l.committed),
                Format.amount(l.remaining),
                Format.unit(l.resource.unit.rawValue),
            ]
        }

        static func describe(_ l: AllocationStore.Listing) -> String {
            "\(l.groupSlug) on \(l.resource.slug): \(Format.amount(l.allocation.amount)) \(Format.unit(l.resource.unit.rawValue)), "
                + "\(Format.day(l.allocation.period.start)) to \(Format.day(l.allocation.period.end)), \(l.allocation.status.rawValue), "
                + "used \(Format.amount(l.used)), remaining \(Format.amount(l.remaining))"
        }
    }
}

extension Consortium.Allocations {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List allocations with what is used and left.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Only this working group (slug).") var group: String?
        @Option(help: "Only this resource (slug).") var resource: String?
        @Option(help: "Only this status: \(Allocation.Status.allCases.map(\.rawValue).joined(separator: ", ")).") var status: String?
        @Option(help: "Only allocations active on this day (YYYY-MM-DD).") var activeOn: String?

        func run() async throws {
            let statusValue = try status.map { text in
                guard let value = Allocation.Status(rawValue: text) else {
                    throw ValidationError("--status must be one of \(Allocation.Status.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return value
            }
            let day = try activeOn.map { try Parse.day($0, option: "--active-on") }
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            let listings = try await store.list(.init(group: group, resource: resource, status: statusValue, activeOn: day))
            output.emit(
                columns: Consortium.Allocations.listColumns, rows: listings.map(Consortium.Allocations.listRow),
                numeric: ["granted", "used", "committed", "remaining"])
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one allocation with its usage by month and by source.")
        @OptionGroup var options: GlobalOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The allocation id.") var id: String

        func run() async throws {
            let allocationID = try Consortium.Allocations.allocationID(id)
            let (store, pool) = try await Consortium.Allocations.store(options)
            defer { pool.shutdown() }
            let listing = try await store.find(allocationID)
            let months = try await store.usageByMonth(allocationID)
            if !output.json && !output.csv {
                let footprint = UsageSummary(granted: listing.allocation.amount, used: listing.used, on: listing.resource)
                print(
                    """
                    Allocation \(listing.allocation.id)
                      group          \(listing.groupName) (\(listing.groupSlug))
                      resource       \(listing.resource.name) (\(listing.resource.slug))
                      status         \(listing.allocation.status.rawValue)
                      period         \(Format.day(listing.allocation.period.start)) to \(Format.day(listing.allocation.period.end))
                      granted        \(Format.amount(listing.allocation.amount)) \(Format.unit(listing.resource.unit.rawValue))
                      used           \(Format.amount(listing.used)) (\(footprint.utilisationPercent.map { Format.amount($0, decimals: 1) + " %" } ?? "n/a"))
                      remaining      \(Format.amount(listing.remaining))
                      committed      \(Format.amount(listing.committed)) (queued and running evaluations; available \(Format.amount(listing.available)))
                      energy         \(Format.amount(footprint.energyKWh)) kWh
                      emissions      \(Format.amount(footprint.emissionsKg)) kg CO2e
                      slurm account  \(listing.allocation.slurmAccount ?? "—")
                      justification  \(listing.allocation.justification)

                    Usage by month and source:
                    """)
            }
            output.emit(
                columns: [("MONTH", "month"), ("SOURCE", "source"), ("RECORDS", "records"), ("AMOUNT", "amount")],
                rows: months.map { [$0.month, $0.source, String($0.jobs), Format.amount($0.amount)] }, numeric: ["records", "amount"])
        }
    }
}
