/// A member's tie to an institution over a period (people move; history is kept).
public struct Affiliation: Hashable, Sendable, Codable, Identifiable {
    public let id: Identifier<Affiliation>
    public var memberID: Identifier<Member>
    public var institutionID: Identifier<Institution>
    public var title: String?
    public var period: DatePeriod

    /// Creates an affiliation.
    public init(
        id: Identifier<Affiliation> = .init(), memberID: Identifier<Member>, institutionID: Identifier<Institution>,
        title: String? = nil, period: DatePeriod
    ) {
        self.id = id
        self.memberID = memberID
        self.institutionID = institutionID
        self.title = title
        self.period = period
    }
}
