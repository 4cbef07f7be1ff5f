import Domain
import Foundation
import Store

/// The member directory, searchable by name and filtered by country, institution and group.
struct MemberIndexPage: Sendable {
    struct Option: Sendable {
        let value: String
        let label: String
        let selected: Bool
    }

    let chrome: Chrome
    let name: String
    let countries: [Option]
    let institutions: [Option]
    let groups: [Option]
    let people: [PersonRow]
    let hasPeople: Bool
    let total: Int
    let showing: String
    let previous: String?
    let next: String?

    init(
        chrome: Chrome, filter: SiteStore.PersonFilter, people: [SiteStore.Person], total: Int, offset: Int, pageSize: Int,
        countries: [String], institutions: [Institution], groups: [WorkingGroupStore.Summary], showEmail: Bool
    ) {
        self.chrome = chrome
        self.name = filter.name ?? ""
        self.countries = countries.map { Option(value: $0, label: $0, selected: $0 == filter.country?.uppercased()) }
        self.institutions = institutions.map {
            Option(value: $0.slug.rawValue, label: $0.name, selected: $0.slug.rawValue == filter.institution)
        }
        self.groups = groups.map { Option(value: $0.group.slug.rawValue, label: $0.group.name, selected: $0.group.slug.rawValue == filter.group) }
        self.people = people.map { PersonRow($0, showEmail: showEmail) }
        self.hasPeople = !people.isEmpty
        self.total = total
        self.showing = people.isEmpty ? "none" : "\(offset + 1)–\(offset + people.count) of \(total)"
        func link(_ offset: Int) -> String {
            pageLink(
                "/members",
                [
                    ("name", filter.name ?? ""), ("country", filter.country ?? ""), ("institution", filter.institution ?? ""),
                    ("group", filter.group ?? ""), ("offset", offset > 0 ? String(offset) : ""),
                ])
        }
        self.previous = offset > 0 ? link(max(0, offset - pageSize)) : nil
        self.next = offset + people.count < total ? link(offset + pageSize) : nil
    }
}
