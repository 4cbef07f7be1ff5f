import Domain
import Foundation
import Store

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
