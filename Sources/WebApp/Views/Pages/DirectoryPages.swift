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

/// One member: where they work, which groups they are in (and were), and what they made.
struct MemberPage: Sendable {
    struct Affiliation: Sendable {
        let slug: String
        let name: String
        let title: String?
        let period: String
        let current: Bool
    }

    struct GroupRole: Sendable {
        let slug: String
        let name: String
        let role: String
        let period: String
        let current: Bool
    }

    let chrome: Chrome
    let name: String
    let email: String?
    let orcid: String?
    let country: String?
    let isAdmin: Bool
    let since: String
    let affiliations: [Affiliation]
    let memberships: [GroupRole]
    let artifacts: [ArtifactRow]
    let hasArtifacts: Bool

    init(
        chrome: Chrome, member: Member, showEmail: Bool,
        history: (
            affiliations: [(slug: String, name: String, title: String?, period: DatePeriod)],
            memberships: [(slug: String, name: String, role: String, period: DatePeriod)]
        ), artifacts: [ArtifactStore.Listing], today: Date = Date()
    ) {
        self.chrome = chrome
        self.name = member.name
        self.email = showEmail ? member.email.rawValue : nil
        self.orcid = member.orcid?.rawValue
        self.country = member.country?.rawValue
        self.isAdmin = member.isAdmin
        self.since = Format.day(member.createdAt)
        func text(_ period: DatePeriod) -> String { "\(Format.day(period.start)) – \(period.end.map(Format.day) ?? "now")" }
        func current(_ period: DatePeriod) -> Bool { period.start <= today && (period.end.map { today < $0 } ?? true) }
        self.affiliations = history.affiliations.map {
            Affiliation(slug: $0.slug, name: $0.name, title: $0.title, period: text($0.period), current: current($0.period))
        }
        self.memberships = history.memberships.map {
            GroupRole(slug: $0.slug, name: $0.name, role: $0.role, period: text($0.period), current: current($0.period))
        }
        self.artifacts = artifacts.map(ArtifactRow.init)
        self.hasArtifacts = !artifacts.isEmpty
    }
}

/// Institutions, searchable by name and filtered by country.
struct InstitutionIndexPage: Sendable {
    struct Row: Sendable {
        let slug: String
        let name: String
        let country: String
        let kind: String
        let members: Int
    }

    let chrome: Chrome
    let name: String
    let countries: [MemberIndexPage.Option]
    let institutions: [Row]
    let hasInstitutions: Bool
    let count: Int

    init(chrome: Chrome, name: String, country: String, institutions: [(institution: Institution, members: Int)], countries: [String]) {
        self.chrome = chrome
        self.name = name
        self.countries = countries.map { MemberIndexPage.Option(value: $0, label: $0, selected: $0 == country.uppercased()) }
        self.institutions = institutions.map {
            Row(
                slug: $0.institution.slug.rawValue, name: $0.institution.name, country: $0.institution.country.rawValue,
                kind: $0.institution.kind.rawValue.replacingOccurrences(of: "_", with: " "), members: $0.members)
        }
        self.hasInstitutions = !institutions.isEmpty
        self.count = institutions.count
    }
}

/// One institution and its current members.
struct InstitutionPage: Sendable {
    let chrome: Chrome
    let name: String
    let slug: String
    let country: String
    let kind: String
    let website: String?
    let ror: String?
    let people: [PersonRow]
    let hasPeople: Bool

    init(chrome: Chrome, institution: Institution, people: [SiteStore.Person], showEmail: Bool) {
        self.chrome = chrome
        self.name = institution.name
        self.slug = institution.slug.rawValue
        self.country = institution.country.rawValue
        self.kind = institution.kind.rawValue.replacingOccurrences(of: "_", with: " ")
        self.website = institution.website
        self.ror = institution.rorID?.rawValue
        self.people = people.map { PersonRow($0, showEmail: showEmail) }
        self.hasPeople = !people.isEmpty
    }
}
