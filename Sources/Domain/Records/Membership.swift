/// A member's role in a working group over a period.
public struct Membership: Hashable, Sendable, Codable, Identifiable {
    /// What the member may do in the group.
    public enum Role: String, Hashable, Sendable, Codable, CaseIterable, Comparable {
        case chair, member, observer

        /// Chairs first, observers last.
        public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

        private var rank: Int {
            switch self {
            case .chair: 0
            case .member: 1
            case .observer: 2
            }
        }
    }

    public let id: Identifier<Membership>
    public var memberID: Identifier<Member>
    public var workingGroupID: Identifier<WorkingGroup>
    public var role: Role
    public var period: DatePeriod

    /// Creates a membership.
    public init(
        id: Identifier<Membership> = .init(), memberID: Identifier<Member>, workingGroupID: Identifier<WorkingGroup>, role: Role,
        period: DatePeriod
    ) {
        self.id = id
        self.memberID = memberID
        self.workingGroupID = workingGroupID
        self.role = role
        self.period = period
    }
}
