import Domain
import Foundation
import Store

/// A member as tables show them: e-mail only for signed-in viewers.
struct PersonRow: Sendable {
    struct Place: Sendable {
        let slug: String
        let name: String
        let last: Bool
    }

    let id: String
    let name: String
    let email: String?
    let country: String?
    let role: String?
    let isChair: Bool
    let institutions: [Place]
    /// The membership in the group whose page lists them (for a chair's "remove" button).
    let membershipID: String?

    init(_ person: SiteStore.Person, group: String? = nil, showEmail: Bool) {
        let membership = group.flatMap { slug in person.groups.first { $0.slug == slug } }
        let role = membership?.role
        self.id = person.member.id.description
        self.name = person.member.name
        self.email = showEmail ? person.member.email.rawValue : nil
        self.country = person.member.country?.rawValue
        self.role = role
        self.isChair = role == "chair"
        self.membershipID = membership?.membership
        self.institutions = person.institutions.enumerated().map {
            Place(slug: $0.element.slug, name: $0.element.name, last: $0.offset == person.institutions.count - 1)
        }
    }
}
