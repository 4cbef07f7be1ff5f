import Database
public import Domain
public import Foundation

/// A BigScience-sized fictitious consortium, generated deterministically from a seed.
///
/// About 600 members from 250 institutions in 50 countries, 16 working groups with chairs, a GPU partition
/// of a 28 PFLOP/s machine and a CPU evaluation pool, an allocation of each per group, Slurm usage and artifacts.
/// Identifiers derive from the seed, so generating again yields the same rows and seeding is idempotent.
public struct DemoConsortium: Sendable {
    public private(set) var institutions: [Institution] = []
    public private(set) var members: [Member] = []
    public private(set) var affiliations: [Affiliation] = []
    public private(set) var groups: [WorkingGroup] = []
    public private(set) var memberships: [Membership] = []
    public private(set) var resources: [ComputeResource] = []
    public private(set) var allocations: [Allocation] = []
    public private(set) var usage: [UsageRecord] = []
    public private(set) var artifacts: [Artifact] = []

    /// The first day of the demo's allocation year.
    public static let yearStart = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01
    static let day: TimeInterval = 86_400

    /// Generates the consortium.
    public init(seed: UInt64 = 2021, institutionCount: Int = 250, memberCount: Int = 600) throws {
        var rng = SeededGenerator(seed: seed)
        let created = Self.yearStart
        try self.makeInstitutions(institutionCount, rng: &rng, created: created)
        try self.makeMembers(memberCount, rng: &rng, created: created)
        try self.makeGroups(rng: &rng, created: created)
        try self.makeCompute(rng: &rng)
        try self.makeArtifacts(rng: &rng)
    }

    /// A stable UUID for the `n`th entity of a kind (a SHA-256 name-based id with version 8 bits).
    static func id<Entity>(_ kind: String, _ n: Int) -> Identifier<Entity> {
        let hex = Array(SHA256.hex(of: Data("consortium-demo:\(kind):\(n)".utf8)))
        var chars = Array(hex.prefix(32))
        chars[12] = "8"
        chars[16] = ["8", "9", "a", "b"][Int(String(chars[16]), radix: 16)! % 4]
        let s = String(chars)
        let text = "\(s.prefix(8))-\(s.dropFirst(8).prefix(4))-\(s.dropFirst(12).prefix(4))-\(s.dropFirst(16).prefix(4))-\(s.dropFirst(20))"
        return Identifier(UUID(uuidString: text)!)
    }

    private mutating func makeInstitutions(_ count: Int, rng: inout SeededGenerator, created: Date) throws {
        var usedNames = Set<String>()
        var n = 0
        while self.institutions.count < count {
            n += 1
            let place = rng.pick(DemoNames.placeStarts) + rng.pick(DemoNames.placeEnds)
            let roll = Int.random(in: 0..<100, using: &rng)
            let (name, kind): (String, Institution.Kind) =
                switch roll {
                case 0..<45: (rng.pick(["University of \(place)", "\(place) University", "\(place) Institute of Technology"]), .university)
                case 45..<65: (rng.pick(["\(place) Institute for AI Research", "\(place) Centre for Language Science"]), .researchInstitute)
                case 65..<85: (rng.pick(["\(place) Labs", "\(place) AI", "\(place) Systems"]), .company)
                case 85..<95: (rng.pick(["\(place) Foundation", "Open \(place) Collective"]), .nonprofit)
                default: ("National Computing Centre of \(place)", .government)
                }
            guard usedNames.insert(name).inserted, let slug = Slug.from(name: name) else { continue }
            let country = try CountryCode(DemoNames.countries[self.institutions.count % DemoNames.countries.count])
            self.institutions.append(
                try Institution(
                    id: Self.id("institution", n), slug: slug, name: name, country: country, rorID: RORID.make(number: 7_919 * n + 104_729),
                    kind: kind, website: "https://\(slug.rawValue).example", createdAt: created))
        }
    }

    private mutating func makeMembers(_ count: Int, rng: inout SeededGenerator, created: Date) throws {
        for n in 1...count {
            let given = rng.pick(DemoNames.givenNames)
            let family = rng.pick(DemoNames.familyNames)
            let institution = self.institutions[Int.random(in: 0..<self.institutions.count, using: &rng)]
            let local = (Slug.from(name: "\(given) \(family)")?.rawValue ?? "member").replacingOccurrences(of: "-", with: ".")
            let orcid: ORCID? =
                Int.random(in: 0..<10, using: &rng) < 6 ? try Self.orcid(n) : nil
            let member = try Member(
                id: Self.id("member", n), name: "\(given) \(family)", email: try EmailAddress("\(local).\(n)@\(institution.slug.rawValue).example"),
                orcid: orcid, country: institution.country, isAdmin: n <= 3, createdAt: created)
            self.members.append(member)
            let start = Self.yearStart.addingTimeInterval(-Double(Int.random(in: 30...1500, using: &rng)) * Self.day)
            if Int.random(in: 0..<5, using: &rng) == 0 {
                // A previous, ended affiliation elsewhere: people move.
                let earlier = self.institutions[Int.random(in: 0..<self.institutions.count, using: &rng)]
                if earlier.id != institution.id {
                    self.affiliations.append(
                        Affiliation(
                            id: Self.id("affiliation-past", n), memberID: member.id, institutionID: earlier.id, title: "Researcher",
                            period: try DatePeriod(start: start.addingTimeInterval(-900 * Self.day), end: start)))
                }
            }
            self.affiliations.append(
                Affiliation(
                    id: Self.id("affiliation", n), memberID: member.id, institutionID: institution.id,
                    title: rng.pick(["PhD student", "Researcher", "Research engineer", "Professor", "Postdoc", "Data scientist"]),
                    period: try DatePeriod(start: start, end: nil)))
        }
    }

    /// A fictitious ORCID in the 0000-0009 block, with a correct check digit.
    static func orcid(_ n: Int) throws -> ORCID {
        let body = String(format: "00000009%07d", 1_000_000 + n * 37)
        let digits = Array(body)
        let check = ORCID.checkDigit(for: digits)
        let text = "\(String(digits[0..<4]))-\(String(digits[4..<8]))-\(String(digits[8..<12]))-\(String(digits[12..<15]))\(check)"
        return try ORCID(text)
    }

    private mutating func makeGroups(rng: inout SeededGenerator, created: Date) throws {
        for (index, spec) in DemoNames.groups.enumerated() {
            guard let slug = Slug.from(name: spec.name) else { continue }
            self.groups.append(
                try WorkingGroup(
                    id: Self.id("group", index), slug: slug, name: spec.name, charter: spec.charter,
                    status: index == DemoNames.groups.count - 1 ? .proposed : .active, createdAt: created))
        }
        var membershipCount = 0
        for (n, member) in self.members.enumerated() {
            let groupCount = Int.random(in: 1...3, using: &rng)
            var chosen = Set<Int>()
            // The first two members per group chair it, so every group has two chairs.
            if n < self.groups.count * 2 { chosen.insert(n % self.groups.count) }
            while chosen.count < groupCount { chosen.insert(Int.random(in: 0..<self.groups.count, using: &rng)) }
            for g in chosen.sorted() {
                membershipCount += 1
                let isChair = n < self.groups.count * 2 && g == n % self.groups.count
                let role: Membership.Role = isChair ? .chair : (Int.random(in: 0..<10, using: &rng) == 0 ? .observer : .member)
                let start = Self.yearStart.addingTimeInterval(-Double(Int.random(in: 0...400, using: &rng)) * Self.day)
                self.memberships.append(
                    Membership(
                        id: Self.id("membership", membershipCount), memberID: member.id, workingGroupID: self.groups[g].id, role: role,
                        period: try DatePeriod(start: start, end: nil)))
            }
        }
    }

    private mutating func makeCompute(rng: inout SeededGenerator) throws {
        let gpu = try ComputeResource(
            id: Self.id("resource", 1), slug: try Slug("hpc-gpu-a100"), name: "Supercomputer GPU partition (A100, 28 PFLOP/s machine)",
            kind: .gpuPartition, capacityPerYear: 3_000_000, peakPFLOPS: 28, powerWattsPerUnit: 400, carbonGramsPerKWh: 57,
            slurmCluster: "hpc", slurmPartition: "gpu_p5")
        let cpu = try ComputeResource(
            id: Self.id("resource", 2), slug: try Slug("eval-cpu-pool"), name: "Evaluation CPU pool", kind: .cpuPool, capacityPerYear: 1_500_000,
            powerWattsPerUnit: 12, carbonGramsPerKWh: 57, slurmCluster: "hpc", slurmPartition: "cpu_eval")
        self.resources = [gpu, cpu]
        let period = try DatePeriod(start: Self.yearStart, end: Self.yearStart.addingTimeInterval(365 * Self.day))
        let admin = self.members.first?.id
        for (index, group) in self.groups.enumerated() where group.status == .active {
            let gpuHours = Decimal([250_000, 120_000, 60_000, 30_000, 15_000][index % 5])
            let cpuHours = Decimal([40_000, 20_000, 10_000][index % 3])
            for (resource, amount) in [(gpu, gpuHours), (cpu, cpuHours)] {
                let allocation = try Allocation(
                    id: Self.id("allocation-\(resource.slug)", index), workingGroupID: group.id, resourceID: resource.id, amount: amount,
                    period: period, status: .active, justification: "Demo grant for \(group.name) in 2026",
                    slurmAccount: "wg_\(group.slug.rawValue.replacingOccurrences(of: "-", with: "_"))", grantedBy: admin,
                    createdAt: Self.yearStart)
                self.allocations.append(allocation)
                for job in 0..<Int.random(in: 3...12, using: &rng) {
                    let fraction = Double.random(in: 0.005...0.06, using: &rng)
                    let amountUsed = Decimal(string: String(format: "%.2f", NSDecimalNumber(decimal: amount).doubleValue * fraction)) ?? 0
                    let started = Self.yearStart.addingTimeInterval(Double(Int.random(in: 1...300, using: &rng)) * Self.day)
                    self.usage.append(
                        try UsageRecord(
                            id: Self.id("usage-\(resource.slug)-\(index)", job), allocationID: allocation.id, amount: amountUsed,
                            source: .slurm,
                            externalID:
                                "\(resource.slurmCluster ?? "hpc")-\(1_000_000 + index * 1000 + job * 7 + (resource.kind == .cpuPool ? 500 : 0))",
                            startedAt: started, endedAt: started.addingTimeInterval(3600 * 6), recordedAt: started.addingTimeInterval(3600 * 7),
                            note: "sbatch job"))
                }
            }
        }
    }

    private mutating func makeArtifacts(rng: inout SeededGenerator) throws {
        let kinds: [(Artifact.Kind, String, String)] = [
            (.paper, "report", "Technical report"), (.dataset, "corpus", "Curated corpus"), (.checkpoint, "ablation-350m", "Ablation checkpoint"),
            (.modelCard, "model-card", "Model card draft"), (.code, "tools", "Tooling"),
        ]
        for (index, group) in self.groups.enumerated() {
            let chair = self.memberships.first { $0.workingGroupID == group.id && $0.role == .chair }?.memberID
            for k in 0..<(2 + index % 3) {
                let (kind, suffix, label) = kinds[(index + k) % kinds.count]
                let published = Self.yearStart.addingTimeInterval(Double(20 + index * 9 + k * 31) * Self.day)
                self.artifacts.append(
                    try Artifact(
                        id: Self.id("artifact", index * 10 + k), workingGroupID: group.id, kind: kind, slug: "\(group.slug.rawValue)-\(suffix)",
                        version: "1.0", title: "\(label): \(group.name)", description: "\(label) produced by the \(group.name) working group.",
                        license: kind == .paper ? "CC-BY-4.0" : "Apache-2.0", status: .published, metadata: ["demo": "true"],
                        createdBy: chair, createdAt: published, publishedAt: published))
            }
        }
    }
}
