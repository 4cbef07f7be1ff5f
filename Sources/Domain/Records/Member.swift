public import Foundation

/// A person taking part in the consortium.
public struct Member: Hashable, Sendable, Codable, Identifiable {
    public let id: Identifier<Member>
    public var name: String
    public var email: EmailAddress
    public var orcid: ORCID?
    public var country: CountryCode?
    /// Consortium administrators manage allocations and everything else.
    public var isAdmin: Bool
    public var createdAt: Date

    /// Creates a member; the name must be 1–200 characters.
    public init(
        id: Identifier<Member> = .init(), name: String, email: EmailAddress, orcid: ORCID? = nil, country: CountryCode? = nil,
        isAdmin: Bool = false, createdAt: Date = Date()
    ) throws(DomainValidationError) {
        self.id = id
        self.name = try Text.required(name, field: "name", maxLength: 200)
        self.email = email
        self.orcid = orcid
        self.country = country
        self.isAdmin = isAdmin
        self.createdAt = createdAt
    }
}
