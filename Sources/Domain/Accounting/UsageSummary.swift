public import Foundation

/// Granted, used and what follows from them, for one allocation or a sum of them.
public struct UsageSummary: Hashable, Sendable {
    public var granted: Decimal
    public var used: Decimal
    /// Electrical energy of the usage, kWh (units × watts per unit / 1000).
    public var energyKWh: Decimal
    /// Emissions of that energy, kg CO2e (kWh × grams per kWh / 1000).
    public var emissionsKg: Decimal

    /// Units left; negative when overdrawn.
    public var remaining: Decimal { self.granted - self.used }
    /// Used as a percentage of granted (nil when nothing was granted).
    public var utilisationPercent: Decimal? { self.granted > 0 ? self.used * 100 / self.granted : nil }

    /// A summary of `used` units against `granted` on `resource`.
    public init(granted: Decimal, used: Decimal, on resource: ComputeResource) {
        let footprint = resource.footprint(of: used)
        self.init(granted: granted, used: used, energyKWh: footprint.kilowattHours, emissionsKg: footprint.kilogramsCO2)
    }

    /// A summary from its parts.
    public init(granted: Decimal, used: Decimal, energyKWh: Decimal, emissionsKg: Decimal) {
        self.granted = granted
        self.used = used
        self.energyKWh = energyKWh
        self.emissionsKg = emissionsKg
    }

    /// Adds two summaries (only meaningful within one unit).
    public static func + (lhs: Self, rhs: Self) -> Self {
        Self(
            granted: lhs.granted + rhs.granted, used: lhs.used + rhs.used, energyKWh: lhs.energyKWh + rhs.energyKWh,
            emissionsKg: lhs.emissionsKg + rhs.emissionsKg)
    }
}
