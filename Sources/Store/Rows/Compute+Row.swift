import Database
import Domain
import Foundation

extension ComputeResource {
    static let columns: SQLQuery = """
        id, slug, name, kind, capacity_per_year, peak_pflops, power_watts_per_unit, carbon_g_per_kwh, slurm_cluster, slurm_partition,
        allow_overdraft
        """

    /// Decodes a resource; `idColumn` names its id where a join renamed it.
    init(row: SQLRow, idColumn: String = "id") throws {
        try self.init(
            id: try row.id(idColumn), slug: try Slug(try row.decode("slug")), name: try row.decode("name"), kind: try row.enumValue("kind"),
            capacityPerYear: try row.decode("capacity_per_year"), peakPFLOPS: try row.decode("peak_pflops"),
            powerWattsPerUnit: try row.decode("power_watts_per_unit"), carbonGramsPerKWh: try row.decode("carbon_g_per_kwh"),
            slurmCluster: try row.decode("slurm_cluster"), slurmPartition: try row.decode("slurm_partition"),
            allowsOverdraft: try row.decode("allow_overdraft"))
    }
}

extension Allocation {
    static let columns: SQLQuery = """
        id, working_group_id, resource_id, amount, period_start, period_end, status, justification, slurm_account, granted_by, created_at
        """

    init(row: SQLRow) throws {
        try self.init(
            id: try row.id("id"), workingGroupID: try row.id("working_group_id"), resourceID: try row.id("resource_id"),
            amount: try row.decode("amount"), period: try row.period(start: "period_start", end: "period_end"),
            status: try row.enumValue("status"), justification: try row.decode("justification"), slurmAccount: try row.decode("slurm_account"),
            grantedBy: try row.optionalID("granted_by"), createdAt: try row.decode("created_at"))
    }
}

extension UsageRecord {
    static let columns: SQLQuery = "id, allocation_id, amount, source, external_id, started_at, ended_at, recorded_at, note"

    init(row: SQLRow) throws {
        try self.init(
            id: try row.id("id"), allocationID: try row.id("allocation_id"), amount: try row.decode("amount"),
            source: try row.enumValue("source"), externalID: try row.decode("external_id"), startedAt: try row.decode("started_at"),
            endedAt: try row.decode("ended_at"), recordedAt: try row.decode("recorded_at"), note: try row.decode("note"))
    }
}
