import Domain
import Foundation
import Store

/// What the landing page shows: the consortium at a glance and one card per working group.
struct LandingPage: Sendable {
    struct GroupCard: Sendable {
        let slug: String
        let name: String
        let status: String
        let isActive: Bool
        let charter: String
        let memberCount: Int
        let artifactCount: Int
        let chairs: String
    }

    let title = "Consortium"
    let memberCount: Int
    let institutionCount: Int
    let countryCount: Int
    let groupCount: Int
    let groups: [GroupCard]
    let hasGroups: Bool

    init(summaries: [WorkingGroupStore.Summary], members: Int, institutions: Int, countries: Int) {
        self.memberCount = members
        self.institutionCount = institutions
        self.countryCount = countries
        self.groupCount = summaries.count
        self.groups = summaries.map { summary in
            GroupCard(
                slug: summary.group.slug.rawValue, name: summary.group.name, status: summary.group.status.rawValue,
                isActive: summary.group.status == .active, charter: summary.group.charter, memberCount: summary.memberCount,
                artifactCount: summary.artifactCount, chairs: summary.chairs.joined(separator: ", "))
        }
        self.hasGroups = !summaries.isEmpty
    }
}
