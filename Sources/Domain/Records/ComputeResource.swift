public import Foundation

/// A pool of compute the consortium hands out: a GPU partition in GPU-hours or a CPU pool in CPU-hours.
public struct ComputeResource: Hashable, Sendable, Codable, Identifiable {
    /// The sort of hardware.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case gpuPartition = "gpu_partition", cpuPool = "cpu_pool"

        /// The unit allocations of this kind are counted in.
        public var unit: Unit { self == .gpuPartition ? .gpuHours : .cpuHours }
    }

    /// What allocations and usage are counted in.
    public enum Unit: String, Hashable, Sendable, Codable, CaseIterable {
        case gpuHours = "gpu_hours", cpuHours = "cpu_hours"
    }

    public let id: Identifier<ComputeResource>
    public var slug: Slug
    public var name: String
    public var kind: Kind
    public var capacityPerYear: Decimal
    public var peakPFLOPS: Decimal?
    /// Average draw of one unit (one GPU, one core) in watts, for energy estimates.
    public var powerWattsPerUnit: Decimal
    /// Grid carbon intensity where the machine runs, grams CO2-eq per kWh.
    public var carbonGramsPerKWh: Decimal
    public var slurmCluster: String?
    public var slurmPartition: String?
    /// Whether charges may overdraw an allocation of this resource (they are then flagged) instead of being refused.
    public var allowsOverdraft: Bool

    /// The unit follows from the kind.
    public var unit: Unit { self.kind.unit }

    /// Creates a resource; every quantity must be ≥ 0.
    public init(
        id: Identifier<ComputeResource> = .init(), slug: Slug, name: String, kind: Kind, capacityPerYear: Decimal,
        peakPFLOPS: Decimal? = nil, powerWattsPerUnit: Decimal, carbonGramsPerKWh: Decimal, slurmCluster: String? = nil,
        slurmPartition: String? = nil, allowsOverdraft: Bool = false
    ) throws(DomainValidationError) {
        for (field, value) in [
            ("capacity_per_year", capacityPerYear), ("power_watts_per_unit", powerWattsPerUnit), ("carbon_g_per_kwh", carbonGramsPerKWh),
            ("peak_pflops", peakPFLOPS ?? 0),
        ] where value < 0 {
            throw DomainValidationError(field: field, message: "must not be negative")
        }
        self.id = id
        self.slug = slug
        self.name = try Text.required(name, field: "name", maxLength: 200)
        self.kind = kind
        self.capacityPerYear = capacityPerYear
        self.peakPFLOPS = peakPFLOPS
        self.powerWattsPerUnit = powerWattsPerUnit
        self.carbonGramsPerKWh = carbonGramsPerKWh
        self.slurmCluster = slurmCluster
        self.slurmPartition = slurmPartition
        self.allowsOverdraft = allowsOverdraft
    }

    /// Energy (kWh) and emissions (kg CO2-eq) of `amount` units on this resource.
    public func footprint(of amount: Decimal) -> (kilowattHours: Decimal, kilogramsCO2: Decimal) {
        let kWh = amount * self.powerWattsPerUnit / 1000
        return (kWh, kWh * self.carbonGramsPerKWh / 1000)
    }
}
