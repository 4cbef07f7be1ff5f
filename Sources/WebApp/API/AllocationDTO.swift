import Domain
import Foundation
import Store

/// An allocation on the wire, with its balances; the same shape wherever the API shows one.
struct AllocationDTO: Encodable {
    let id: String
    let workingGroup: String
    let resource: String
    let unit: String
    let status: String
    let periodStart: String
    let periodEnd: String
    let granted: Decimal
    let used: Decimal
    let committed: Decimal
    let remaining: Decimal
    let available: Decimal
    let slurmAccount: String?

    init(_ l: AllocationStore.Listing) {
        self.id = l.allocation.id.description
        self.workingGroup = l.groupSlug
        self.resource = l.resource.slug.rawValue
        self.unit = l.resource.unit.rawValue
        self.status = l.allocation.status.rawValue
        self.periodStart = Self.day(l.allocation.period.start)
        self.periodEnd = l.allocation.period.end.map(Self.day) ?? ""
        self.granted = l.allocation.amount
        self.used = l.used
        self.committed = l.committed
        self.remaining = l.remaining
        self.available = l.available
        self.slurmAccount = l.allocation.slurmAccount
    }

    static func day(_ date: Date) -> String { ISODay.format(date) }
}
