import Domain
import Foundation
import Store

/// A working group: charter, people, artifacts, compute, schedules and how its checkpoints score.
struct GroupPage: Sendable {
    struct AllocationRow: Sendable {
        let resource: String
        let unit: String
        let period: String
        let status: String
        let granted: String
        let used: String
        let committed: String
        let remaining: String
        let isOverdrawn: Bool
        let bar: String
        let energy: String
        let carbon: String
    }

    struct ScheduleRow: Sendable {
        let suite: String
        let checkpoint: String
        let when: String
        let enabled: Bool
        let nextDue: String?
    }

    let chrome: Chrome
    let slug: String
    let name: String
    let status: String
    let isActive: Bool
    let charter: String
    let created: String
    let chairs: [PersonRow]
    let members: [PersonRow]
    let memberCount: Int
    let artifacts: [ArtifactRow]
    let hasArtifacts: Bool
    /// Whether the viewer may see the group's compute (its members and administrators).
    let seesCompute: Bool
    let allocations: [AllocationRow]
    let hasAllocations: Bool
    let totalEnergy: String
    let totalCarbon: String
    let schedules: [ScheduleRow]
    let hasSchedules: Bool
    let boards: [Leaderboard]
    let hasBoards: Bool
    let runs: [RunRow]
    let hasRuns: Bool
    let actions: GroupActions?

    init(
        chrome: Chrome, actions: GroupActions?, group: WorkingGroup, people: [SiteStore.Person], showEmail: Bool, artifacts: [ArtifactStore.Listing],
        seesCompute: Bool, allocations: [AllocationStore.Listing], schedules: [ScheduleStore.Listing], standings: [RunStore.Standing],
        runs: [RunStore.Listing]
    ) {
        self.chrome = chrome
        self.actions = actions
        self.slug = group.slug.rawValue
        self.name = group.name
        self.status = group.status.rawValue
        self.isActive = group.status == .active
        self.charter = group.charter
        self.created = Format.day(group.createdAt)
        let rows = people.map { PersonRow($0, group: group.slug.rawValue, showEmail: showEmail) }
        self.chairs = rows.filter(\.isChair)
        self.members = rows.sorted { ($0.isChair ? 0 : 1, $0.name) < ($1.isChair ? 0 : 1, $1.name) }
        self.memberCount = rows.count
        self.artifacts = artifacts.map(ArtifactRow.init)
        self.hasArtifacts = !artifacts.isEmpty
        self.seesCompute = seesCompute
        var energy: Decimal = 0
        var carbon: Decimal = 0
        self.allocations = allocations.map { listing in
            let footprint = listing.resource.footprint(of: listing.used)
            energy += footprint.kilowattHours
            carbon += footprint.kilogramsCO2
            let unit = listing.resource.unit == .gpuHours ? "GPU-hours" : "CPU-hours"
            let used = NSDecimalNumber(decimal: listing.used).doubleValue
            let committed = NSDecimalNumber(decimal: listing.committed).doubleValue
            let granted = NSDecimalNumber(decimal: listing.allocation.amount).doubleValue
            return AllocationRow(
                resource: listing.resource.name, unit: unit,
                period: "\(Format.day(listing.allocation.period.start)) – \(listing.allocation.period.end.map(Format.day) ?? "open")",
                status: listing.allocation.status.rawValue, granted: Format.amount(listing.allocation.amount), used: Format.amount(listing.used),
                committed: Format.amount(listing.committed), remaining: Format.amount(listing.remaining), isOverdrawn: listing.remaining < 0,
                bar: BarChart.usage(
                    used: used, committed: committed, granted: granted,
                    label:
                        "\(Format.amount(listing.used)) used, \(Format.amount(listing.committed)) committed of \(Format.amount(listing.allocation.amount)) \(unit)"
                ),
                energy: Format.amount(footprint.kilowattHours), carbon: Format.amount(footprint.kilogramsCO2))
        }
        self.hasAllocations = !allocations.isEmpty
        self.totalEnergy = Format.amount(energy)
        self.totalCarbon = Format.amount(carbon)
        self.schedules = schedules.map { listing in
            ScheduleRow(
                suite: listing.suiteSlug,
                checkpoint: listing.checkpointSlug.map { "\($0) v\(listing.checkpointVersion ?? "")" } ?? "the group's newest checkpoint",
                when: listing.schedule.cron.map { "cron \($0)" } ?? "whenever a checkpoint is published", enabled: listing.schedule.enabled,
                nextDue: listing.schedule.nextDueAt.map(Format.time))
        }
        self.hasSchedules = !schedules.isEmpty
        self.boards = Leaderboard.boards(standings)
        self.hasBoards = !self.boards.isEmpty
        self.runs = runs.map(RunRow.init)
        self.hasRuns = !runs.isEmpty
    }
}
