import Domain
import Foundation
import Testing

@Suite struct SacctRecordTests {
    @Test func aFinishedGPUJobIsChargedInGPUHours() throws {
        let record = try SacctRecord(
            line: "4242|wg_tokenization|alice|2026-03-01T10:00:00|2026-03-01T12:30:00|02:30:00|billing=40,cpu=40,gres/gpu=4,mem=160G,node=1|COMPLETED"
        )
        #expect(record.disposition == .charge)
        #expect(record.gpus == 4)
        #expect(record.cpus == 40)
        #expect(record.elapsedSeconds == 9_000)
        #expect(record.gpuHours == 10)
        #expect(record.cpuHours == 100)
        #expect(record.end == Date(timeIntervalSince1970: 1_772_368_200))
    }

    @Test(arguments: [
        ("4242.batch", SacctRecord.Disposition.step), ("4242.0", .step), ("4242.extern", .step), ("4242_7", .charge), ("4242+1", .charge),
    ])
    func jobStepsAreNotChargedTwice(_ jobID: String, _ expected: SacctRecord.Disposition) throws {
        let record = try SacctRecord(line: "\(jobID)|acct|bob|2026-03-01T10:00:00|2026-03-01T11:00:00|01:00:00|cpu=2|COMPLETED")
        #expect(record.disposition == expected)
    }

    @Test(arguments: ["RUNNING", "PENDING", "REQUEUED"])
    func unfinishedJobsWaitForALaterImport(_ state: String) throws {
        let record = try SacctRecord(line: "77|acct|bob|2026-03-01T10:00:00|Unknown|00:10:00|cpu=2|\(state)")
        #expect(record.disposition == .unfinished)
    }

    @Test func endedStatesWithDetailAreCharged() throws {
        let cancelled = try SacctRecord(line: "78|acct|bob|2026-03-01T10:00:00|2026-03-01T10:30:00|00:30:00|cpu=4|CANCELLED by 1234")
        #expect(cancelled.state == "CANCELLED")
        #expect(cancelled.disposition == .charge)
        #expect(cancelled.cpuHours == 2)
        let typedGPU = try SacctRecord(line: "79|acct|bob|2026-03-01T10:00:00|2026-03-02T12:00:00|1-02:00:00|cpu=8,gres/gpu:a100=2|TIMEOUT")
        #expect(typedGPU.elapsedSeconds == 93_600)
        #expect(typedGPU.gpuHours == 52)
    }

    @Test(arguments: [
        ("only|three|fields", "line"), ("abc|acct|u|2026-03-01T10:00:00|2026-03-01T11:00:00|01:00:00|cpu=1|COMPLETED", "JobID"),
        ("1|acct|u|2026-03-01T10:00:00|2026-03-01T11:00:00|1h|cpu=1|COMPLETED", "Elapsed"),
        ("1|acct|u|2026-03-01T10:00:00|2026-03-01T11:00:00|01:75:00|cpu=1|COMPLETED", "Elapsed"),
        ("1|acct|u|2026-03-01T10:00:00|2026-03-01T11:00:00|01:00:00|cpu=lots|COMPLETED", "AllocTRES"),
        ("1|acct|u|2026-03-01T10:00:00|2026-03-01T11:00:00|01:00:00|cpu|COMPLETED", "AllocTRES"),
        ("1||u|2026-03-01T10:00:00|2026-03-01T11:00:00|01:00:00|cpu=1|COMPLETED", "Account"),
        ("1|acct|u|2026-03-01T10:00:00|2026-03-01T11:00:00|01:00:00|cpu=1|", "State"),
    ])
    func malformedLinesNameTheColumn(_ line: String, _ field: String) {
        let error = #expect(throws: DomainValidationError.self) { try SacctRecord(line: line) }
        #expect(error?.field == field)
    }

    @Test func usageSummaryArithmetic() throws {
        // 1,000 GPU-hours at 400 W is 400 kWh; at 57 g/kWh that is 22.8 kg CO2e.
        let gpu = try ComputeResource(
            slug: try Slug("gpu"), name: "GPU", kind: .gpuPartition, capacityPerYear: 10_000, powerWattsPerUnit: 400, carbonGramsPerKWh: 57)
        let a = UsageSummary(granted: 4_000, used: 1_000, on: gpu)
        #expect(a.remaining == 3_000)
        #expect(a.utilisationPercent == 25)
        #expect(a.energyKWh == 400)
        #expect(a.emissionsKg == Decimal(string: "22.8"))
        let b = UsageSummary(granted: 1_000, used: 1_500, on: gpu)
        #expect(b.remaining == -500)
        let total = a + b
        #expect(total.granted == 5_000 && total.used == 2_500 && total.utilisationPercent == 50)
        #expect(UsageSummary(granted: 0, used: 0, on: gpu).utilisationPercent == nil)
    }

    @Test func typosGetSuggestions() {
        let groups = ["tokenization", "multilinguality", "evaluation", "data-governance"]
        #expect(Suggestion.closest(to: "tokenisation", in: groups) == "tokenization")
        #expect(Suggestion.closest(to: "multilingual", in: groups) == "multilinguality")
        #expect(Suggestion.closest(to: "zzz", in: groups) == nil)
    }
}
