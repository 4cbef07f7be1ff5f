import Database
import DatabaseTestSupport
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Store
import Testing
import WebApp

/// The demo consortium, one working group with every kind of caller holding a token, and a server whose artifact
/// store is a fresh temporary folder.
struct ArtifactFixture {
    enum Role: String, CaseIterable, CustomStringConvertible {
        case anonymous, reader, outsider, observer, member, creator, chair, admin
        var description: String { self.rawValue }
    }

    let store: Store
    let group: WorkingGroup
    let tokens: [Role: String]
    let members: [Role: Member]
    let dataDirectory: URL

    var contentRoot: URL { self.dataDirectory.appendingPathComponent("artifacts") }

    static func make(_ pool: DatabasePool) async throws -> ArtifactFixture {
        let demo = try DemoConsortium()
        try await DemoSeeder(pool: pool).seed(demo)
        let store = Store(pool: pool)
        func people(_ group: WorkingGroup, _ role: Membership.Role) -> [Member] {
            let now = Date()
            let current = demo.memberships.filter {
                $0.workingGroupID == group.id && $0.period.start <= now && ($0.period.end.map { $0 > now } ?? true)
            }
            let ids = Set(current.filter { $0.role == role }.map(\.memberID))
            // Someone with two current roles in the group would blur the matrix; leave them out.
            let twice = Set(Dictionary(grouping: current, by: \.memberID).filter { $0.value.count > 1 }.keys)
            return demo.members.filter { ids.contains($0.id) && !twice.contains($0.id) && !$0.isAdmin }
        }
        // A group with a chair, an observer and at least three members, so every role can be played by a different person.
        let group = try #require(
            demo.groups.sorted { $0.slug < $1.slug }.first {
                people($0, .chair).count >= 1 && people($0, .observer).count >= 1 && people($0, .member).count >= 3
            })
        let inGroup = Set(demo.memberships.filter { $0.workingGroupID == group.id }.map(\.memberID))
        let plain = people(group, .member)
        var members: [Role: Member] = [
            .reader: plain[0], .member: plain[1], .creator: plain[2],
            .observer: people(group, .observer)[0], .chair: people(group, .chair)[0],
            .outsider: try #require(demo.members.first { !$0.isAdmin && !inGroup.contains($0.id) }),
        ]
        let admin: Member = try #require(demo.members.first { $0.isAdmin })
        members[.admin] = admin
        var tokens: [Role: String] = [:]
        for (role, member) in members {
            let scope: APIToken.Scope = role == .admin ? .admin : role == .reader ? .read : .write
            tokens[role] = try await store.tokens.create(for: member.email, name: "test", scope: scope, expiresAt: nil, actor: "test").secret
        }
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("consortium-artifacts-\(UUID().uuidString)")
        return ArtifactFixture(store: store, group: group, tokens: tokens, members: members, dataDirectory: data)
    }

    func configuration(maxUploadBytes: Int64 = 16 << 20, maxBodyBytes: Int = 256 * 1024) -> WebConfiguration {
        WebConfiguration(
            webDirectory: TestDatabase.repositoryRoot.appendingPathComponent("Web"),
            schemaDirectory: TestDatabase.repositoryRoot.appendingPathComponent("Schema"), dataDirectory: self.dataDirectory,
            maxBodyBytes: maxBodyBytes, maxUploadBytes: maxUploadBytes)
    }

    func app(maxUploadBytes: Int64 = 16 << 20, maxBodyBytes: Int = 256 * 1024) async throws -> some ApplicationProtocol {
        try await buildApplication(
            configuration: self.configuration(maxUploadBytes: maxUploadBytes, maxBodyBytes: maxBodyBytes), store: self.store,
            logger: Logger(label: "test"))
    }

    func headers(_ role: Role, _ extra: HTTPFields = [:]) -> HTTPFields {
        var headers = extra
        if let token = self.tokens[role] { headers[.authorization] = "Bearer \(token)" }
        return headers
    }

    /// A draft registered directly through the store, as `creator`, optionally with one file and published.
    func draft(slug: String, title: String = "A checkpoint", file: [UInt8]? = nil, publish: Bool = false) async throws -> Identifier<Artifact> {
        let creator = try #require(self.members[.creator])
        let actor = Actor(name: creator.email.rawValue, memberID: creator.id)
        let artifact = try Artifact(workingGroupID: self.group.id, kind: .checkpoint, slug: slug, title: title, createdBy: creator.id)
        _ = try await self.store.artifacts.register(artifact, actor: actor)
        if let file {
            let content = try LocalContentStore(root: self.contentRoot)
            let upload = try await content.beginUpload()
            try await upload.write(file)
            let stored = try await upload.commit(expectedSHA256: nil)
            _ = try await self.store.artifacts.putFile(artifact.id, path: "config.json", content: stored, mediaType: "application/json", actor: actor)
        }
        if publish { _ = try await self.store.artifacts.publish(artifact.id, precondition: nil, actor: actor) }
        return artifact.id
    }

    /// A suite "nightly" with one perplexity task, and the group's CPU allocation for today (the demo's, or a fresh one once
    /// 2026 is over).
    /// Queues a run of `checkpoint` and finishes it as a runner would, reporting `acc`.
    func finishedRun(checkpoint: Identifier<Artifact>, acc: Double) async throws -> Identifier<EvalRun> {
        let suite = try #require(try await self.store.evaluations.suite(slug: "nightly"))
        let run = try await self.store.runs.queue(
            group: self.group.id, checkpoint: checkpoint, suite: suite.id, reserve: 0.5, actor: Actor(name: "t")
        ).run
            .id
        guard case .run(let claimed) = try await self.store.runQueue.claim(owner: "test-runner", leaseSeconds: 60) else {
            throw TestDatabaseError("nothing to claim")
        }
        #expect(claimed.id == run)
        #expect(
            try await self.store.runQueue.renew(
                run, owner: "test-runner", leaseSeconds: 60, progress: .init(task: "demo-perplexity", taskIndex: 0, tasks: 1, done: 3, total: 7))
                == .held)
        let result = RunQueue.TaskResult(
            taskID: suite.taskIDs[0], metrics: [.init(name: "acc", value: acc, standardError: 0.01, samples: 100)],
            details: #"{"correct": 80}"#, reproducibility: #"{"task_version": 1, "dataset": {"sha256": "ab"}}"#, items: 100, tokens: 1234,
            wallSeconds: 2)
        let done = try await self.store.runQueue.complete(
            run, owner: "test-runner", results: [result], measurement: .init(wallSeconds: 2, cpuSeconds: 36, reproducibility: #"{"seed": 0}"#))
        #expect(done)
        return run
    }

    func evaluationSetUp() async throws -> (suite: String, allocation: AllocationStore.Listing) {
        let task = try EvaluationTask(slug: "demo-perplexity", name: "Perplexity", kind: .perplexity, metrics: ["perplexity"])
        try await self.store.evaluations.create(task)
        try await self.store.evaluations.create(try EvaluationSuite(slug: "nightly", name: "Nightly", taskIDs: [task.id]))
        let slug = self.group.slug.rawValue
        if let current = try await self.store.allocations.list(.init(group: slug, activeOn: Date())).first(where: { $0.resource.unit == .cpuHours }) {
            return ("nightly", current)
        }
        let period = try DatePeriod(start: Date().addingTimeInterval(-86_400), end: Date().addingTimeInterval(30 * 86_400))
        let granted = try await self.store.allocations.grant(
            group: slug, resource: "eval-cpu-pool", amount: 100, period: period, justification: "test", slurmAccount: nil, actor: Actor(name: "test"))
        return ("nightly", try await self.store.allocations.find(granted.id))
    }

    /// Every object file in the content store (not counting uploads in progress).
    func storedObjects() -> [String] {
        let root = self.contentRoot.appendingPathComponent("sha256")
        let walker = FileManager.default.enumerator(atPath: root.path)
        return (walker?.allObjects as? [String] ?? []).filter { $0.split(separator: "/").count == 2 }.sorted()
    }

    /// Leftover temporary upload files (must be none once a request is answered).
    func temporaryUploads() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: self.contentRoot.appendingPathComponent("tmp").path)) ?? []
    }

    func removeData() { try? FileManager.default.removeItem(at: self.dataDirectory) }

    static func json(_ buffer: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any])
    }

    static func body(_ object: [String: Any]) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    static func sha256(_ bytes: [UInt8]) -> String { SHA256.hex(of: Data(bytes)) }

    static func contentDigest(_ bytes: [UInt8]) -> String { "sha-256=:\(SHA256.digest(of: Data(bytes)).base64EncodedString()):" }
}
