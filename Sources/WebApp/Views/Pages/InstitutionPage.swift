import Domain
import Foundation
import Store

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
