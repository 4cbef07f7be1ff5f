import Domain
import Foundation
import Store

/// The consortium at a glance: counts, where its people are, its groups, and what it made and measured lately.
struct HomePage: Sendable {
    struct GroupCard: Sendable {
        let slug: String
        let name: String
        let status: String
        let isActive: Bool
        let charter: String
        let memberCount: Int
        let artifactCount: Int
        /// Nil without chairs (an empty string would still open its section).
        let chairs: String?

        init(_ summary: WorkingGroupStore.Summary) {
            self.slug = summary.group.slug.rawValue
            self.name = summary.group.name
            self.status = summary.group.status.rawValue
            self.isActive = summary.group.status == .active
            self.charter = summary.group.charter
            self.memberCount = summary.memberCount
            self.artifactCount = summary.artifactCount
            self.chairs = summary.chairs.isEmpty ? nil : summary.chairs.joined(separator: ", ")
        }
    }

    struct CountryRow: Sendable {
        let country: String
        let members: Int
    }

    let chrome: Chrome
    let memberCount: Int
    let institutionCount: Int
    let countryCount: Int
    let groupCount: Int
    let countryChart: String
    /// How many countries the chart leaves out (nil when none: a section on 0 would still render).
    let otherCountries: Int?
    let countries: [CountryRow]
    let groups: [GroupCard]
    let hasGroups: Bool
    let artifacts: [ArtifactRow]
    let hasArtifacts: Bool
    let runs: [RunRow]
    let hasRuns: Bool

    init(
        chrome: Chrome, summaries: [WorkingGroupStore.Summary], members: Int, institutions: Int, countries: [(country: String, members: Int)],
        artifacts: [ArtifactStore.Listing], runs: [RunStore.Listing]
    ) {
        self.chrome = chrome
        self.memberCount = members
        self.institutionCount = institutions
        self.countryCount = countries.count
        self.groupCount = summaries.count
        // The twelve largest only, so the chart stays legible for dozens of countries; the table below has them all.
        let shown = Array(countries.prefix(12)).map { (label: $0.country, value: $0.members) }
        self.countryChart = BarChart.rows(shown, title: "Members per country, the \(shown.count) largest")
        self.otherCountries = countries.count > shown.count ? countries.count - shown.count : nil
        self.countries = countries.map { CountryRow(country: $0.country, members: $0.members) }
        self.groups = summaries.map(GroupCard.init)
        self.hasGroups = !summaries.isEmpty
        self.artifacts = artifacts.map(ArtifactRow.init)
        self.hasArtifacts = !artifacts.isEmpty
        self.runs = runs.map(RunRow.init)
        self.hasRuns = !runs.isEmpty
    }
}
