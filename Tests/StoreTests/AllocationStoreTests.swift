import Database
import DatabaseTestSupport
import Domain
import Foundation
import Store
import Testing

@Suite struct AllocationStoreTests {
    private let admin = Actor(name: "root-admin")

    /// A group, a GPU partition (no overdraft) and a CPU pool (overdraft allowed), and one allocation of each.
    private func setUp(_ pool: DatabasePool, gpuHours: Decimal = 1_000) async throws -> (gpu: Identifier<Allocation>, cpu: Identifier<Allocation>) {
        let store = Store(pool: pool)
        try await store.workingGroups.create(try WorkingGroup(slug: try Slug("tokenization"), name: "Tokenization"))
        try await store.compute.create(
            try ComputeResource(
                slug: try Slug("gpu"), name: "GPU partition", kind: .gpuPartition, capacityPerYear: 100_000, powerWattsPerUnit: 400,
                carbonGramsPerKWh: 57, slurmCluster: "hpc"))
        try await store.compute.create(
            try ComputeResource(
                slug: try Slug("cpu"), name: "CPU pool", kind: .cpuPool, capacityPerYear: 100_000, powerWattsPerUnit: 10, carbonGramsPerKWh: 50,
                allowsOverdraft: true))
        let year = try DatePeriod(start: day("2026-01-01"), end: day("2027-01-01"))
        let gpu = try await store.allocations.grant(
            group: "tokenization", resource: "gpu", amount: gpuHours, period: year, justification: "test", slurmAccount: "wg_tok", actor: admin)
        let cpu = try await store.allocations.grant(
            group: "tokenization", resource: "cpu", amount: 100, period: year, justification: "test", slurmAccount: "wg_tok", actor: admin)
        return (gpu.id, cpu.id)
    }

    private func day(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate]
        return formatter.date(from: text)!
    }

    // MARK: Tests

    @Test func overlappingLiveAllocationsAreRefusedAndUnknownNamesGetSuggestions() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            _ = try await setUp(pool)
            let store = AllocationStore(pool: pool)
            let overlap = await #expect(throws: AccountingError.self) {
                try await store.grant(
                    group: "tokenization", resource: "gpu", amount: 5, period: try DatePeriod(start: day("2026-06-01"), end: day("2026-07-01")),
                    justification: "again", slurmAccount: nil, actor: admin)
            }
            #expect(overlap?.description.contains("overlapping") == true)
            let typo = await #expect(throws: AccountingError.self) {
                try await store.grant(
                    group: "tokenisation", resource: "gpu", amount: 5, period: try DatePeriod(start: day("2028-01-01"), end: day("2028-02-01")),
                    justification: "x", slurmAccount: nil, actor: admin)
            }
            #expect(typo?.description == "no working group 'tokenisation'; did you mean 'tokenization'?")
            let dry = try await store.grant(
                group: "tokenization", resource: "gpu", amount: 5, period: try DatePeriod(start: day("2028-01-01"), end: day("2028-02-01")),
                justification: "x", slurmAccount: nil, actor: admin, dryRun: true)
            await #expect(throws: AccountingError.self) { try await store.find(dry.id) }
        }
    }

    @Test func statusTransitionsFollowTheStateMachine() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let (gpu, _) = try await setUp(pool)
            let store = AllocationStore(pool: pool)
            #expect(
                try await store.setStatus(gpu, to: .suspended, action: "allocation.suspend", reason: "r", actor: admin).allocation.status
                    == .suspended)
            #expect(try await store.setStatus(gpu, to: .active, action: "allocation.resume", reason: "r", actor: admin).allocation.status == .active)
            _ = try await store.revoke(gpu, reason: "misuse", actor: admin)
            let refused = await #expect(throws: AccountingError.self) {
                try await store.setStatus(gpu, to: .active, action: "allocation.resume", reason: "r", actor: admin)
            }
            #expect(refused?.description == "an allocation that is revoked cannot become active")
            let charge = await #expect(throws: AccountingError.self) {
                try await store.charge(.init(allocationID: gpu, amount: 1, source: .manual), actor: admin)
            }
            #expect(charge?.description.contains("only active allocations can be charged") == true)
            let audit = try await Store(pool: pool).audit.entries(entityType: "allocation", entityID: gpu.description)
            #expect(audit.map(\.action) == ["allocation.revoke", "allocation.resume", "allocation.suspend", "allocation.grant"])
            #expect(audit.first?.actorName == "root-admin")
            #expect(audit.first?.reason == "misuse")
        }
    }

    @Test func concurrentChargesNeverOverspend() async throws {
        try await TestDatabase.withMigrated(maxConnections: 8) { pool async throws in
            let (gpu, _) = try await setUp(pool, gpuHours: 1_000)
            let store = AllocationStore(pool: pool)
            // 200 charges of 7.5 GPU-hours = 1,500 asked for; only 133 fit in 1,000.
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for n in 0..<200 {
                    group.addTask {
                        let charge = AllocationStore.Charge(
                            allocationID: gpu, amount: Decimal(string: "7.5")!, source: .slurm, externalID: "job-\(n)")
                        return (try? await store.charge(charge, actor: admin)) == .charged(overdraft: false)
                    }
                }
                return await group.reduce(into: [Bool]()) { $0.append($1) }
            }
            let accepted = outcomes.filter { $0 }.count
            let listing = try await store.find(gpu)
            #expect(accepted == 133)
            #expect(listing.used == Decimal(accepted) * Decimal(string: "7.5")!)
            #expect(listing.used <= listing.allocation.amount)
        }
    }

    @Test func overdraftIsFlaggedWhereAllowedAndDuplicatesAreIgnored() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let (gpu, cpu) = try await setUp(pool)
            let store = AllocationStore(pool: pool)
            #expect(
                try await store.charge(.init(allocationID: cpu, amount: 150, source: .manual, externalID: "x1"), actor: admin)
                    == .charged(overdraft: true))
            #expect(try await store.charge(.init(allocationID: cpu, amount: 150, source: .manual, externalID: "x1"), actor: admin) == .duplicate)
            #expect(try await store.find(cpu).remaining == -50)
            let refused = await #expect(throws: AccountingError.self) {
                try await store.charge(.init(allocationID: gpu, amount: 1_000.5, source: .manual), actor: admin)
            }
            #expect(refused?.description.contains("would overdraw") == true)
            let flagged = try await pool.query("SELECT count(*) AS n FROM usage_records WHERE overdraft").first?.decode("n", as: Int.self)
            #expect(flagged == 1)
        }
    }

    @Test func adjustExtendAndRequests() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let (gpu, _) = try await setUp(pool)
            let store = AllocationStore(pool: pool)
            _ = try await store.charge(.init(allocationID: gpu, amount: 600, source: .manual), actor: admin)
            #expect(try await store.adjust(gpu, by: 500, reason: "more", actor: admin).allocation.amount == 1_500)
            let below = await #expect(throws: AccountingError.self) { try await store.adjust(gpu, by: -1_000, reason: "less", actor: admin) }
            #expect(below?.description.contains("already used") == true)
            await #expect(throws: AccountingError.self) { try await store.extend(gpu, to: day("2026-06-01"), reason: "shorter", actor: admin) }
            #expect(try await store.extend(gpu, to: day("2027-03-01"), reason: "late", actor: admin).allocation.period.end == day("2027-03-01"))

            let more = try AllocationRequest(allocationID: gpu, change: .increase(by: 250), reason: "ablations", requestedBy: "chair")
            let later = try AllocationRequest(allocationID: gpu, change: .extendTo(day("2027-06-01")), reason: "delays", requestedBy: "chair")
            try await store.request(more, actor: Actor(name: "chair"))
            try await store.request(later, actor: Actor(name: "chair"))
            #expect(try await store.requests().map(\.id) == [more.id, later.id])
            #expect(try await store.decide(more.id, approve: true, note: "ok", actor: admin).status == .approved)
            #expect(try await store.decide(later.id, approve: false, note: "no", actor: admin).status == .denied)
            await #expect(throws: AccountingError.self) { try await store.decide(more.id, approve: true, note: "again", actor: admin) }
            let after = try await store.find(gpu)
            #expect(after.allocation.amount == 1_750)
            #expect(after.allocation.period.end == day("2027-03-01"))
            #expect(try await store.requests().isEmpty)
        }
    }

    @Test func sacctImportIsIdempotentAndAllOrNothing() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let (gpu, cpu) = try await setUp(pool)
            let store = AllocationStore(pool: pool)
            let sacct = """
                1001|wg_tok|alice|2026-03-01T10:00:00|2026-03-01T12:00:00|02:00:00|billing=16,cpu=16,gres/gpu=4,mem=64G,node=1|COMPLETED
                1001.batch|wg_tok||2026-03-01T10:00:00|2026-03-01T12:00:00|02:00:00|cpu=16,gres/gpu=4,mem=64G,node=1|COMPLETED
                1001.0|wg_tok||2026-03-01T10:00:01|2026-03-01T12:00:00|01:59:59|cpu=16,gres/gpu=4|COMPLETED
                1002|wg_tok|bob|2026-03-02T08:00:00|2026-03-02T08:30:00|00:30:00|billing=8,cpu=8,mem=16G,node=1|FAILED
                1003|wg_tok|bob|2026-03-03T08:00:00|Unknown|00:10:00|cpu=8,gres/gpu=8|RUNNING

                """
            let first = try await store.importSacct(sacct, actor: admin, skipBadLines: false)
            #expect(first.charged == 2 && first.steps == 2 && first.unfinished == 1 && first.problems.isEmpty)
            #expect(try await store.find(gpu).used == 8)
            #expect(try await store.find(cpu).used == 4)
            let again = try await store.importSacct(sacct, actor: admin, skipBadLines: false)
            #expect(again.charged == 0 && again.duplicates == 2)
            #expect(try await store.find(gpu).used == 8)

            let withBadLine = """
                2001|wg_tok|alice|2026-04-01T10:00:00|2026-04-01T11:00:00|01:00:00|cpu=4,gres/gpu=1|COMPLETED
                2002|wg_tok|alice|2026-04-01T10:00:00|2026-04-01T11:00:00|one hour|cpu=4,gres/gpu=1|COMPLETED
                2003|wg_unknown|carol|2026-04-01T10:00:00|2026-04-01T11:00:00|01:00:00|cpu=4,gres/gpu=1|COMPLETED
                """
            let refused = try await store.importSacct(withBadLine, actor: admin, skipBadLines: false)
            #expect(refused.problems.map(\.line) == [2])
            #expect(refused.charged == 0)
            #expect(try await store.find(gpu).used == 8)
            let skipped = try await store.importSacct(withBadLine, actor: admin, skipBadLines: true)
            #expect(skipped.charged == 1)
            #expect(skipped.problems.map(\.line) == [2, 3])
            #expect(skipped.problems.last?.message.contains("wg_unknown") == true)
            #expect(try await store.find(gpu).used == 9)
        }
    }

    @Test func reportArithmeticOnAHandCheckedExample() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let (gpu, cpu) = try await setUp(pool, gpuHours: 2_000)
            let store = AllocationStore(pool: pool)
            let march = day("2026-03-15")
            _ = try await store.charge(.init(allocationID: gpu, amount: 500, source: .manual, endedAt: march), actor: admin)
            _ = try await store.charge(.init(allocationID: gpu, amount: 250, source: .manual, endedAt: day("2026-04-02")), actor: admin)
            _ = try await store.charge(.init(allocationID: cpu, amount: 40, source: .manual, endedAt: march), actor: admin)
            let lines = try await store.report(from: day("2026-03-01"), to: day("2026-04-01"))
            #expect(lines.count == 2)
            let gpuLine = try #require(lines.first { $0.resourceSlug == "gpu" })
            // 500 GPU-hours × 400 W = 200 kWh; × 57 g/kWh = 11.4 kg.
            #expect(gpuLine.summary.granted == 2_000)
            #expect(gpuLine.summary.used == 500)
            #expect(gpuLine.summary.remaining == 1_500)
            #expect(gpuLine.summary.utilisationPercent == 25)
            #expect(gpuLine.summary.energyKWh == 200)
            #expect(gpuLine.summary.emissionsKg == Decimal(string: "11.4"))
            let cpuLine = try #require(lines.first { $0.resourceSlug == "cpu" })
            // 40 CPU-hours × 10 W = 0.4 kWh; × 50 g/kWh = 0.02 kg.
            #expect(cpuLine.summary.energyKWh == Decimal(string: "0.4"))
            #expect(cpuLine.summary.emissionsKg == Decimal(string: "0.02"))
            #expect(cpuLine.summary.utilisationPercent == 40)
        }
    }

    @Test func queuedAndRunningEvaluationsCommitCompute() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let (_, cpu) = try await setUp(pool)
            try await pool.withConnection { connection in
                try connection.executeScript(
                    """
                    INSERT INTO artifacts (id, working_group_id, kind, slug, title)
                    SELECT '00000000-0000-0000-0000-0000000000a1', id, 'checkpoint', 'model', 'Model' FROM working_groups;
                    INSERT INTO evaluation_suites (id, slug, name) VALUES ('00000000-0000-0000-0000-0000000000a2', 'suite', 'Suite');
                    """)
                for (status, amount) in [("queued", "5"), ("running", "3"), ("succeeded", "10"), ("queued", "1.5")] {
                    try connection.query(
                        """
                        INSERT INTO runs (working_group_id, checkpoint_artifact_id, suite_id, allocation_id, reserved_amount, status,
                                          lease_owner, lease_expires_at, started_at, finished_at)
                        SELECT working_group_id, '00000000-0000-0000-0000-0000000000a1', '00000000-0000-0000-0000-0000000000a2', \(cpu),
                               \(amount)::numeric, \(status),
                               CASE WHEN \(status) = 'running' THEN 'runner-1' END, CASE WHEN \(status) = 'running' THEN now() + interval '1 minute' END,
                               CASE WHEN \(status) <> 'queued' THEN now() END, CASE WHEN \(status) = 'succeeded' THEN now() END
                          FROM allocations WHERE id = \(cpu)
                        """)
                }
            }
            let listing = try await AllocationStore(pool: pool).find(cpu)
            #expect(listing.committed == Decimal(string: "9.5"))
            #expect(listing.remaining == 100)
            #expect(listing.available == Decimal(string: "90.5"))
        }
    }

    @Test func endedAllocationsExpireAndCannotBeCharged() async throws {
        try await TestDatabase.withMigrated { pool async throws in
            let (gpu, cpu) = try await setUp(pool)
            let store = AllocationStore(pool: pool)
            _ = try await store.extend(cpu, to: day("2027-06-01"), reason: "longer", actor: admin)
            #expect(try await store.expire(asOf: day("2026-12-31"), actor: admin).isEmpty)
            let preview = try await store.expire(asOf: day("2027-01-01"), actor: admin, dryRun: true)
            #expect(preview.map(\.allocation.id) == [gpu])
            #expect(try await store.find(gpu).allocation.status == .active)
            let expired = try await store.expire(asOf: day("2027-01-01"), actor: admin)
            #expect(expired.map(\.allocation.status) == [.expired])
            #expect(try await store.find(cpu).allocation.status == .active)
            let refused = await #expect(throws: AccountingError.self) {
                try await store.charge(.init(allocationID: gpu, amount: 1, source: .manual), actor: admin)
            }
            #expect(refused?.description == "the allocation is expired; only active allocations can be charged")
            #expect(try await store.expire(asOf: day("2027-01-01"), actor: admin).isEmpty)
        }
    }
}
