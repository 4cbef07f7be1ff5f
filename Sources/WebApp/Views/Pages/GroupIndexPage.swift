import Domain
import Foundation
import Store

/// The working groups, filtered by a name fragment and status.
struct GroupIndexPage: Sendable {
    struct StatusOption: Sendable {
        let value: String
        let selected: Bool
    }

    let chrome: Chrome
    let query: String
    let statuses: [StatusOption]
    let groups: [HomePage.GroupCard]
    let hasGroups: Bool
    let count: Int

    init(chrome: Chrome, summaries: [WorkingGroupStore.Summary], query: String, status: String) {
        self.chrome = chrome
        self.query = query
        self.statuses = WorkingGroup.Status.allCases.map { StatusOption(value: $0.rawValue, selected: $0.rawValue == status) }
        let needle = query.lowercased()
        let matching = summaries.filter { summary in
            (needle.isEmpty || summary.group.name.lowercased().contains(needle) || summary.group.charter.lowercased().contains(needle)
                || summary.group.slug.rawValue.contains(needle))
                && (status.isEmpty || summary.group.status.rawValue == status)
        }
        self.groups = matching.map(HomePage.GroupCard.init)
        self.hasGroups = !matching.isEmpty
        self.count = matching.count
    }
}
