public import Foundation

/// Something a working group produced: a paper, dataset, checkpoint, tokenizer, model card, code or report.
///
/// A published version is immutable; changing it means publishing a new `version`.
public struct Artifact: Hashable, Sendable, Codable, Identifiable {
    /// What sort of thing it is.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case paper, dataset, checkpoint, tokenizer, modelCard = "model_card", code, report
    }

    /// Whether the version is still being assembled, public, or taken back.
    public enum Status: String, Hashable, Sendable, Codable, CaseIterable {
        case draft, published, withdrawn
    }

    public let id: Identifier<Artifact>
    public var workingGroupID: Identifier<WorkingGroup>
    public var kind: Kind
    /// Name within the group (`bloom-560m`, `xp3-prompts`); dots and underscores allowed, as in model names.
    public var slug: String
    public var version: String
    public var title: String
    public var description: String
    /// SPDX license identifier (`Apache-2.0`, `CC-BY-4.0`, `bigscience-bloom-rail-1.0`).
    public var license: String?
    public var status: Status
    public var metadata: [String: String]
    public var createdBy: Identifier<Member>?
    public var createdAt: Date
    public var publishedAt: Date?

    /// Creates an artifact, validating slug, version, title and license.
    public init(
        id: Identifier<Artifact> = .init(), workingGroupID: Identifier<WorkingGroup>, kind: Kind, slug: String, version: String = "1",
        title: String, description: String = "", license: String? = nil, status: Status = .draft, metadata: [String: String] = [:],
        createdBy: Identifier<Member>? = nil, createdAt: Date = Date(), publishedAt: Date? = nil
    ) throws(DomainValidationError) {
        guard slug.wholeMatch(of: /[a-z0-9]+([._\-][a-z0-9]+)*/) != nil, slug.count <= 120 else {
            throw DomainValidationError(field: "slug", message: "'\(slug.prefix(130))' must be lowercase letters and digits separated by . _ or -")
        }
        guard version.wholeMatch(of: /[A-Za-z0-9][A-Za-z0-9._+\-]{0,63}/) != nil else {
            throw DomainValidationError(field: "version", message: "'\(version.prefix(70))' is not a version (letters, digits, . _ + -)")
        }
        if let license, license.wholeMatch(of: /[A-Za-z0-9.+\-]{1,64}/) == nil {
            throw DomainValidationError(field: "license", message: "'\(license.prefix(70))' is not an SPDX license identifier")
        }
        guard (status == .draft) == (publishedAt == nil) else {
            throw DomainValidationError(field: "published_at", message: "is set exactly when the artifact is no longer a draft")
        }
        self.id = id
        self.workingGroupID = workingGroupID
        self.kind = kind
        self.slug = slug
        self.version = version
        self.title = try Text.required(title, field: "title", maxLength: 300)
        self.description = try Text.optional(description, field: "description", maxLength: 100_000)
        self.license = license
        self.status = status
        self.metadata = metadata
        self.createdBy = createdBy
        self.createdAt = createdAt
        self.publishedAt = publishedAt
    }
}
