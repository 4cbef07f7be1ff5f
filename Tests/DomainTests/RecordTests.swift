import Domain
import Foundation
import Testing

@Suite struct RecordTests {
    private let group = Identifier<WorkingGroup>()
    private let resource = Identifier<ComputeResource>()

    private func period() throws -> DatePeriod {
        try DatePeriod(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 86_400 * 365))
    }

    // MARK: Tests

    @Test(arguments: ["config.json", "shards/model-00001-of-00002.safetensors", ".gitattributes", "a/b/c.txt"])
    func acceptableArtifactPaths(_ path: String) {
        #expect(throws: Never.self) { try ArtifactFile.validate(path: path) }
    }

    @Test(arguments: ["", "/etc/passwd", "../secret", "a/../../b", "a//b", "./a", "a/.", "a\\b", "tab\there", "nul\u{0}", "new\nline", "a/"])
    func rejectedArtifactPaths(_ path: String) {
        let error = #expect(throws: DomainValidationError.self) { try ArtifactFile.validate(path: path) }
        #expect(error?.field == "path")
    }

    @Test func allocationStatusMachine() {
        #expect(Allocation.Status.requested.canTransition(to: .approved))
        #expect(Allocation.Status.approved.canTransition(to: .active))
        #expect(!Allocation.Status.requested.canTransition(to: .active))
        #expect(Allocation.Status.active.canTransition(to: .suspended))
        #expect(Allocation.Status.suspended.canTransition(to: .active))
        #expect(!Allocation.Status.revoked.canTransition(to: .active))
        #expect(!Allocation.Status.expired.canTransition(to: .active))
        #expect(!Allocation.Status.requested.canTransition(to: .expired))
        #expect(Allocation.Status.allCases.filter(\.isChargeable) == [.active])
    }

    @Test func runStatusMachine() {
        #expect(EvalRun.Status.queued.canTransition(to: .running))
        #expect(EvalRun.Status.running.canTransition(to: .queued))
        #expect(!EvalRun.Status.succeeded.canTransition(to: .running))
        #expect(!EvalRun.Status.queued.canTransition(to: .succeeded))
        #expect(EvalRun.Status.allCases.filter(\.isFinished) == [.succeeded, .failed, .cancelled])
    }

    @Test func allocationsNeedANonNegativeAmountAndAnEnd() throws {
        #expect(throws: Never.self) { try Allocation(workingGroupID: group, resourceID: resource, amount: 0, period: try period()) }
        let negative = #expect(throws: DomainValidationError.self) {
            try Allocation(workingGroupID: group, resourceID: resource, amount: -1, period: try period())
        }
        #expect(negative?.field == "amount")
        let openEnded = #expect(throws: DomainValidationError.self) {
            try Allocation(workingGroupID: group, resourceID: resource, amount: 5, period: try DatePeriod(start: Date(), end: nil))
        }
        #expect(openEnded?.field == "period_end")
        #expect(throws: DomainValidationError.self) {
            try Allocation(workingGroupID: group, resourceID: resource, amount: 5, period: try period(), slurmAccount: "bad account;")
        }
    }

    @Test func footprintUsesPowerAndGridIntensity() throws {
        let gpu = try ComputeResource(
            slug: try Slug("gpu"), name: "GPU", kind: .gpuPartition, capacityPerYear: 1000, powerWattsPerUnit: 400, carbonGramsPerKWh: 57)
        let footprint = gpu.footprint(of: 1000)
        #expect(footprint.kilowattHours == 400)
        #expect(footprint.kilogramsCO2 == Decimal(string: "22.8"))
        #expect(gpu.unit == .gpuHours)
    }

    @Test func artifactsValidateTheirFields() throws {
        #expect(throws: Never.self) { try Artifact(workingGroupID: group, kind: .checkpoint, slug: "bloom-560m", title: "BLOOM 560M") }
        #expect(throws: DomainValidationError.self) { try Artifact(workingGroupID: group, kind: .checkpoint, slug: "Bad Slug", title: "x") }
        #expect(throws: DomainValidationError.self) { try Artifact(workingGroupID: group, kind: .paper, slug: "p", version: "", title: "x") }
        #expect(throws: DomainValidationError.self) { try Artifact(workingGroupID: group, kind: .paper, slug: "p", title: "   ") }
        #expect(throws: DomainValidationError.self) { try Artifact(workingGroupID: group, kind: .paper, slug: "p", title: "x", license: "GPL 3") }
        #expect(throws: DomainValidationError.self) {
            try Artifact(workingGroupID: group, kind: .paper, slug: "p", title: "x", status: .published, publishedAt: nil)
        }
    }

    @Test func tokensExpireAndScopesOrder() throws {
        let now = Date()
        let token = try APIToken(
            memberID: .init(), name: "ci", prefix: "cons_ab12", scope: .write, createdAt: now, expiresAt: now.addingTimeInterval(60))
        #expect(token.isUsable(at: now))
        #expect(!token.isUsable(at: now.addingTimeInterval(61)))
        #expect(APIToken.Scope.read < .write && APIToken.Scope.write < .admin)
        #expect(throws: DomainValidationError.self) {
            try APIToken(memberID: .init(), name: "x", prefix: "p", scope: .read, createdAt: now, expiresAt: now)
        }
    }

    @Test func resultsRefuseNaN() {
        #expect(throws: DomainValidationError.self) { try EvalResult(runID: .init(), taskID: .init(), metric: "accuracy", value: .nan) }
        #expect(throws: DomainValidationError.self) {
            try EvalResult(runID: .init(), taskID: .init(), metric: "accuracy", value: 0.5, standardError: -1)
        }
    }
}
