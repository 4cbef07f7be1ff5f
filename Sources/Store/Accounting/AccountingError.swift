import Domain
import Foundation

/// Why an allocation command was refused, in words an administrator can act on.
public struct AccountingError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Base: Hashable, Sendable {
        case unknownGroup, unknownResource, unknownAllocation, unknownRequest, transition, overdrawn, belowUsed, notChargeable, overlap,
            notExtension, alreadyDecided
    }
    private let base: Base
    public let description: String

    private init(_ base: Base, _ description: String) {
        self.base = base
        self.description = description
    }

    static func unknownGroup(_ slug: String, suggestion: String?) -> Self {
        .init(.unknownGroup, "no working group '\(slug)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""))
    }

    static func unknownResource(_ slug: String, suggestion: String?) -> Self {
        .init(.unknownResource, "no compute resource '\(slug)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""))
    }

    static func unknownAllocation(_ id: String) -> Self { .init(.unknownAllocation, "no allocation \(id)") }
    static func unknownRequest(_ id: String) -> Self { .init(.unknownRequest, "no allocation request \(id)") }

    static func transition(_ from: Allocation.Status, _ to: Allocation.Status) -> Self {
        .init(.transition, "an allocation that is \(from.rawValue) cannot become \(to.rawValue)")
    }

    static func overdrawn(requested: Decimal, remaining: Decimal, unit: String) -> Self {
        .init(
            .overdrawn,
            "charging \(requested) \(unit) would overdraw the allocation (\(remaining) \(unit) left) and its resource does not allow overdraft")
    }

    static func belowUsed(newAmount: Decimal, used: Decimal) -> Self {
        .init(.belowUsed, "the allocation would be \(newAmount) but \(used) is already used; it cannot go below what was used")
    }

    static func notChargeable(_ status: Allocation.Status) -> Self {
        .init(.notChargeable, "the allocation is \(status.rawValue); only active allocations can be charged")
    }

    static func overlap(group: String, resource: String) -> Self {
        .init(.overlap, "'\(group)' already holds a live allocation of '\(resource)' for an overlapping period")
    }

    static func notLater(_ end: Date, current: Date) -> Self {
        .init(.notExtension, "the new end \(Self.day(end)) is not after the current end \(Self.day(current))")
    }

    static func alreadyDecided(_ status: AllocationRequest.Status) -> Self {
        .init(.alreadyDecided, "the request was already \(status.rawValue)")
    }

    static func day(_ date: Date) -> String { ISODay.format(date) }
}
