import Database
import Domain
public import Foundation

extension AllocationStore {
    /// What an import did, line by line.
    public struct ImportSummary: Sendable, Hashable {
        public var charged = 0
        public var duplicates = 0
        public var steps = 0
        public var unfinished = 0
        public var zeroUsage = 0
        /// Lines refused, with their 1-based line numbers and why (nothing is imported when any exist, unless skipping).
        public var problems: [Problem] = []
        /// Units charged, by unit (`gpu_hours`, `cpu_hours`).
        public var chargedAmount: [String: Decimal] = [:]
    }

    /// A refused line of an import.
    public struct Problem: Sendable, Hashable {
        public let line: Int
        public let message: String
    }

    /// Imports `sacct --parsable2` output: each finished job is charged once (by cluster and job id) to the live
    /// allocation whose Slurm account it ran under — GPU-hours for jobs holding GPUs, CPU-hours otherwise.
    ///
    /// All lines are checked first; with any bad line nothing is imported unless `skipBadLines`. The whole import is
    /// one transaction, so a failure part-way leaves the database as it was.
    public func importSacct(
        _ text: String, actor: Actor, skipBadLines: Bool, dryRun: Bool = false, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws -> ImportSummary {
        var summary = ImportSummary()
        var records: [(line: Int, record: SacctRecord)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.hasSuffix("\r") ? String(raw.dropLast()) : String(raw)
            if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            do {
                records.append((index + 1, try SacctRecord(line: line)))
            } catch {
                summary.problems.append(Problem(line: index + 1, message: "\(error)"))
            }
        }
        if !summary.problems.isEmpty, !skipBadLines { return summary }
        let parsed = records
        let start = summary
        do {
            return try await self.pool.withTransaction { connection in
                var summary = start
                for (position, (lineNumber, record)) in parsed.enumerated() {
                    progress?(position + 1, parsed.count)
                    switch record.disposition {
                    case .step:
                        summary.steps += 1
                        continue
                    case .unfinished:
                        summary.unfinished += 1
                        continue
                    case .charge:
                        break
                    }
                    let unit = record.gpus > 0 ? "gpu_hours" : "cpu_hours"
                    let amount = record.gpus > 0 ? record.gpuHours : record.cpuHours
                    guard amount > 0 else {
                        summary.zeroUsage += 1
                        continue
                    }
                    guard
                        let row = try connection.query(
                            """
                            SELECT a.id, coalesce(r.slurm_cluster, 'slurm') AS cluster FROM allocations a
                              JOIN compute_resources r ON r.id = a.resource_id
                             WHERE a.slurm_account = \(record.account) AND r.unit = \(unit) AND a.status = 'active'
                             ORDER BY (daterange(a.period_start, a.period_end) @> \(record.end ?? Date())::date) DESC, a.period_start DESC
                             LIMIT 1
                            """
                        ).first
                    else {
                        let problem =
                            "no active \(unit.replacingOccurrences(of: "_", with: "-")) allocation has Slurm account '\(record.account)' (job \(record.jobID))"
                        guard skipBadLines else { throw ImportRefusal(line: lineNumber, message: problem) }
                        summary.problems.append(Problem(line: lineNumber, message: problem))
                        continue
                    }
                    let cluster: String = try row.decode("cluster")
                    let charge = Charge(
                        allocationID: try row.id("id"), amount: amount, source: .slurm, externalID: "\(cluster):\(record.jobID)",
                        consumer: record.user, startedAt: record.start, endedAt: record.end, note: "sacct \(record.state)")
                    do {
                        switch try Self.charge(charge, actor: actor, on: connection) {
                        case .charged:
                            summary.charged += 1
                            summary.chargedAmount[unit, default: 0] += amount
                        case .duplicate:
                            summary.duplicates += 1
                        }
                    } catch let refusal as AccountingError {
                        guard skipBadLines else { throw ImportRefusal(line: lineNumber, message: refusal.description) }
                        summary.problems.append(Problem(line: lineNumber, message: refusal.description))
                    }
                }
                if dryRun { throw DryRun(value: summary) }
                return summary
            }
        } catch let dry as DryRun<ImportSummary> {
            return dry.value
        } catch let refusal as ImportRefusal {
            var failed = start
            failed.problems.append(Problem(line: refusal.line, message: refusal.message))
            return failed
        }
    }
}

/// A line that stops an import without `--skip-bad-lines`; the transaction rolls back.
struct ImportRefusal: Error {
    let line: Int
    let message: String
}
