import Database
public import Domain
public import Foundation

extension AllocationStore {
    /// One line of `allocations report`: a group's use of one resource in the period.
    public struct ReportLine: Sendable, Hashable {
        public let groupSlug: String
        public let resourceSlug: String
        public let unit: ComputeResource.Unit
        public let summary: UsageSummary
    }

    /// Per group and resource: granted (allocations overlapping `[from, to)`), used in `[from, to)` (by each record's
    /// end time, or its recording time), remaining, energy and emissions.
    public func report(from: Date, to: Date, group: String? = nil) async throws -> [ReportLine] {
        try await self.pool.withConnection { connection in
            if let group { _ = try Self.groupID(slug: group, on: connection) }
            return try connection.query(
                """
                SELECT g.slug AS group_slug, r.slug AS resource_slug, r.id AS rid, r.name, r.kind, r.capacity_per_year,
                       r.power_watts_per_unit, r.carbon_g_per_kwh, r.allow_overdraft,
                       sum(a.amount) AS granted,
                       coalesce(sum((SELECT sum(u.amount) FROM usage_records u
                                      WHERE u.allocation_id = a.id
                                        AND coalesce(u.ended_at, u.recorded_at) >= \(from)
                                        AND coalesce(u.ended_at, u.recorded_at) < \(to))), 0) AS used
                  FROM allocations a
                  JOIN working_groups g ON g.id = a.working_group_id
                  JOIN compute_resources r ON r.id = a.resource_id
                 WHERE daterange(a.period_start, a.period_end) && daterange(\(from)::date, \(to)::date)
                   AND a.status <> 'requested'
                   AND (\(group)::text IS NULL OR g.slug = \(group))
                 GROUP BY g.slug, r.slug, r.id
                 ORDER BY g.slug, r.slug
                """
            ).rows.map { row in
                let resource = try ComputeResource(
                    id: try row.id("rid"), slug: try Slug(try row.decode("resource_slug")), name: try row.decode("name"),
                    kind: try row.enumValue("kind"), capacityPerYear: try row.decode("capacity_per_year"),
                    powerWattsPerUnit: try row.decode("power_watts_per_unit"), carbonGramsPerKWh: try row.decode("carbon_g_per_kwh"),
                    allowsOverdraft: try row.decode("allow_overdraft"))
                return ReportLine(
                    groupSlug: try row.decode("group_slug"), resourceSlug: resource.slug.rawValue, unit: resource.unit,
                    summary: UsageSummary(granted: try row.decode("granted"), used: try row.decode("used"), on: resource))
            }
        }
    }

    /// One Slurm account per live allocation, with the balance `export-slurm` turns into a `GrpTRESMins` limit.
    public func slurmAccounts() async throws -> [(account: String, group: String, listing: Listing)] {
        try await self.list(Filter(status: .active)).compactMap { listing in
            listing.allocation.slurmAccount.map { ($0, listing.groupSlug, listing) }
        }
    }
}
