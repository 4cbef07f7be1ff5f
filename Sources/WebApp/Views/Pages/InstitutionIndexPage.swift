import Domain
import Foundation
import Store

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
