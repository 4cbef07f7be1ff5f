import Database
public import Domain
public import Foundation

/// Who is in which group, in which role, when. Changes keep history: a role change ends one row and starts another,
/// and leaving a group ends the row rather than deleting it.
public struct MembershipStore: Sendable {
    let pool: DatabasePool

    /// A membership with the names a listing shows.
    public struct Listing: Sendable, Hashable {
        public let membership: Membership
        public let memberName: String
        public let groupSlug: String
    }

    /// Filters of `page`.
    public struct Filter: Sendable, Hashable {
        public var group: String?
        public var member: Identifier<Member>?
        /// Only memberships that hold today.
        public var currentOnly: Bool

        public init(group: String? = nil, member: Identifier<Member>? = nil, currentOnly: Bool = true) {
            self.group = group
            self.member = member
            self.currentOnly = currentOnly
        }
    }

    /// Checked with the membership locked, before a change (the API's `If-Match`).
    public typealias Precondition = @Sendable (Listing) throws -> Void

    static let columns: SQLQuery = """
        m.id, m.member_id, m.working_group_id, m.role, m.started_on, m.ended_on, p.name AS member_name, g.slug AS group_slug
        """

    static func listing(_ row: SQLRow) throws -> Listing {
        let period = try DatePeriod(start: try row.decode("started_on"), end: try row.decode("ended_on"))
        return Listing(
            membership: Membership(
                id: try row.id("id"), memberID: try row.id("member_id"), workingGroupID: try row.id("working_group_id"),
                role: try row.enumValue("role"),
                period: period),
            memberName: try row.decode("member_name"), groupSlug: try row.decode("group_slug"))
    }

    /// Memberships ordered by id, after `after`, at most `limit`.
    public func page(_ filter: Filter, after: Identifier<Membership>?, limit: Int, today: Date = Date()) async throws -> [Listing] {
        try await self.pool.withConnection { connection in
            try connection.query(
                """
                SELECT \(query: Self.columns)
                  FROM memberships m JOIN members p ON p.id = m.member_id JOIN working_groups g ON g.id = m.working_group_id
                 WHERE (\(filter.group)::text IS NULL OR g.slug = \(filter.group))
                   AND (\(filter.member)::uuid IS NULL OR m.member_id = \(filter.member))
                   AND (NOT \(filter.currentOnly) OR daterange(m.started_on, m.ended_on) @> \(today)::date)
                   AND (\(after)::uuid IS NULL OR m.id > \(after))
                 ORDER BY m.id LIMIT \(limit)
                """
            ).rows.map(Self.listing)
        }
    }

    /// One membership, or nil.
    public func find(_ id: Identifier<Membership>) async throws -> Listing? {
        try await self.pool.withConnection { connection in try Self.find(id, on: connection, lock: false) }
    }

    static func find(_ id: Identifier<Membership>, on connection: Connection, lock: Bool) throws -> Listing? {
        let lockClause: SQLQuery = lock ? "FOR UPDATE OF m" : ""
        return try connection.query(
            """
            SELECT \(query: Self.columns)
              FROM memberships m JOIN members p ON p.id = m.member_id JOIN working_groups g ON g.id = m.working_group_id
             WHERE m.id = \(id) \(query: lockClause)
            """
        ).first.map(Self.listing)
    }

    /// Adds someone to a group from `startedOn` (today by default).
    ///
    /// - Throws: `StoreError.conflict` when they already have a role in the group then.
    public func add(
        member: Identifier<Member>, group: Identifier<WorkingGroup>, role: Membership.Role, startedOn: Date = Date(), actor: Actor
    ) async throws -> Listing {
        let membership = Membership(memberID: member, workingGroupID: group, role: role, period: try DatePeriod(start: startedOn, end: nil))
        return try await self.pool.withTransaction { connection in
            do {
                try WorkingGroupStore.insert(membership, on: connection)
            } catch let error as DatabaseError where error.isExclusionViolation {
                throw StoreError.conflict("this member already has a role in the group from that day; change the role instead")
            }
            let listing = try Self.require(membership.id, on: connection)
            try Self.audit("membership.add", listing, before: nil, after: listing, actor: actor, on: connection)
            return listing
        }
    }

    /// Changes a current membership's role from today: the old row ends today and a new one starts (or, for a row
    /// that started today, the role is corrected in place).
    public func changeRole(
        _ id: Identifier<Membership>, to role: Membership.Role, today: Date = Date(), precondition: Precondition?, actor: Actor
    ) async throws -> Listing {
        try await self.pool.withTransaction { connection in
            let before = try Self.lockedCurrent(id, today: today, precondition: precondition, on: connection)
            guard before.membership.role != role else { return before }
            if before.membership.role == .chair { try Self.requireAnotherChair(before, today: today, on: connection) }
            // The locked row already says when it started; compare the two as UTC days.
            let startedToday = ISODay.format(before.membership.period.start) == ISODay.format(today)
            let resultID: Identifier<Membership>
            if startedToday {
                try connection.query("UPDATE memberships SET role = \(role.rawValue) WHERE id = \(id)")
                resultID = id
            } else {
                let successor = Membership(
                    memberID: before.membership.memberID, workingGroupID: before.membership.workingGroupID, role: role,
                    period: try DatePeriod(start: today, end: before.membership.period.end))
                try connection.query("UPDATE memberships SET ended_on = \(today)::date WHERE id = \(id)")
                try WorkingGroupStore.insert(successor, on: connection)
                resultID = successor.id
            }
            let after = try Self.require(resultID, on: connection)
            try Self.audit("membership.change_role", after, before: before, after: after, actor: actor, on: connection)
            return after
        }
    }

    /// Ends a current membership today (a row that started today is removed, since it never held for a full day).
    public func end(_ id: Identifier<Membership>, today: Date = Date(), precondition: Precondition?, actor: Actor) async throws {
        try await self.pool.withTransaction { connection in
            let before = try Self.lockedCurrent(id, today: today, precondition: precondition, on: connection)
            if before.membership.role == .chair { try Self.requireAnotherChair(before, today: today, on: connection) }
            try connection.query(
                """
                WITH gone AS (DELETE FROM memberships WHERE id = \(id) AND started_on >= \(today)::date RETURNING id)
                UPDATE memberships SET ended_on = \(today)::date WHERE id = \(id) AND NOT EXISTS (SELECT 1 FROM gone)
                """)
            try Self.audit("membership.end", before, before: before, after: nil, actor: actor, on: connection)
        }
    }

    // MARK: Helpers

    private static func require(_ id: Identifier<Membership>, on connection: Connection) throws -> Listing {
        guard let listing = try Self.find(id, on: connection, lock: false) else { throw StoreError.notFound("membership \(id)") }
        return listing
    }

    private static func lockedCurrent(
        _ id: Identifier<Membership>, today: Date, precondition: Precondition?, on connection: Connection
    ) throws -> Listing {
        guard let listing = try Self.find(id, on: connection, lock: true) else { throw StoreError.notFound("membership \(id)") }
        try precondition?(listing)
        guard listing.membership.period.contains(today) else {
            let ran = "\(ISODay.format(listing.membership.period.start)) to \(listing.membership.period.end.map(ISODay.format) ?? "open")"
            throw StoreError.conflict("this membership is not current (it runs \(ran)); past and future memberships are history or plans")
        }
        return listing
    }

    /// A group is never left without a chair: the last one must hand over first.
    private static func requireAnotherChair(_ listing: Listing, today: Date, on connection: Connection) throws {
        let others =
            try connection.query(
                """
                SELECT count(*) AS n FROM memberships
                 WHERE working_group_id = \(listing.membership.workingGroupID) AND role = 'chair' AND id <> \(listing.membership.id)
                   AND daterange(started_on, ended_on) @> \(today)::date
                """
            ).first?.decode("n", as: Int64.self) ?? 0
        guard others > 0 else {
            throw StoreError.conflict("\(listing.memberName) is the last chair of \(listing.groupSlug); appoint another chair first")
        }
    }

    private struct AuditRecord: Encodable {
        let memberId: String
        let workingGroup: String
        let role: String
        let startedOn: Date
        let endedOn: Date?
    }

    private static func audit(
        _ action: String, _ subject: Listing, before: Listing?, after: Listing?, actor: Actor, on connection: Connection
    ) throws {
        func record(_ l: Listing) -> AuditRecord {
            AuditRecord(
                memberId: l.membership.memberID.description, workingGroup: l.groupSlug, role: l.membership.role.rawValue,
                startedOn: l.membership.period.start, endedOn: l.membership.period.end)
        }
        try AuditStore.record(
            AuditEntry(
                actorID: actor.memberID, actorName: actor.name, action: action, entityType: "membership", entityID: subject.membership.id.description,
                before: try before.map { try AuditStore.json(record($0)) }, after: try after.map { try AuditStore.json(record($0)) }),
            on: connection)
    }
}
