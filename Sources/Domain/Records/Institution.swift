public import Foundation

/// A university, lab, company or other organisation whose people take part.
public struct Institution: Hashable, Sendable, Codable, Identifiable {
    /// What sort of organisation it is.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case university, researchInstitute = "research_institute", company, nonprofit, government, other
    }

    public let id: Identifier<Institution>
    public var slug: Slug
    public var name: String
    public var country: CountryCode
    public var rorID: RORID?
    public var kind: Kind
    public var website: String?
    public var createdAt: Date

    /// Creates an institution; the name must be 1–300 characters.
    public init(
        id: Identifier<Institution> = .init(), slug: Slug, name: String, country: CountryCode, rorID: RORID? = nil, kind: Kind,
        website: String? = nil, createdAt: Date = Date()
    ) throws(DomainValidationError) {
        self.id = id
        self.slug = slug
        self.name = try Text.required(name, field: "name", maxLength: 300)
        self.country = country
        self.rorID = rorID
        self.kind = kind
        self.website = try website.map { url throws(DomainValidationError) in try Text.httpURL(url, field: "website") }
        self.createdAt = createdAt
    }
}
