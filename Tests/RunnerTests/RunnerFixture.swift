import Database
import DatabaseTestSupport
import Domain
import Foundation
import Logging
import Runner
import Store
import Testing

/// The demo consortium plus a fresh working group with its own CPU allocation, the tiny checkpoints published as
/// artifacts in a temporary content store, and a dataset artifact holding the demo datasets.
struct RunnerFixture {
    let store: Store
    let pool: DatabasePool
    let database: DatabaseConfiguration
    let group: WorkingGroup
    let allocation: Identifier<Allocation>
    let content: LocalContentStore
    let dataDirectory: URL
    let gpt2: Identifier<Artifact>
    let bert: Identifier<Artifact>
    let datasets: Identifier<Artifact>
    let actor = Actor(name: "runner-tests")

    static func make(_ pool: DatabasePool, cpuHours: Decimal = 100) async throws -> RunnerFixture {
        try await DemoSeeder(pool: pool).seed(try DemoConsortium())
        let store = Store(pool: pool)
        let actor = Actor(name: "runner-tests")
        let group = try WorkingGroup(slug: try Slug("runner-tests"), name: "Runner tests")
        try await store.workingGroups.create(group)
        let period = try DatePeriod(start: Date().addingTimeInterval(-86_400), end: Date().addingTimeInterval(30 * 86_400))
        let granted = try await store.allocations.grant(
            group: "runner-tests", resource: "eval-cpu-pool", amount: cpuHours, period: period, justification: "runner tests", slurmAccount: nil,
            actor: actor)
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("consortium-runner-\(UUID().uuidString)")
        let content = try LocalContentStore(root: data.appendingPathComponent("artifacts"))
        let importer = ArtifactImporter(artifacts: store.artifacts, content: content)
        func publish(_ directory: URL, files: [String]? = nil, kind: Artifact.Kind, slug: String) async throws -> Identifier<Artifact> {
            let artifact = try Artifact(workingGroupID: group.id, kind: kind, slug: slug, title: slug)
            return try await importer.importDirectory(directory, files: files, as: artifact, publish: true, actor: actor).artifact.id
        }
        let fixtures = TestDatabase.repositoryRoot.appendingPathComponent("Tests/InferenceTests/Fixtures")
        let modelFiles = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]
        return RunnerFixture(
            store: store, pool: pool, database: pool.configuration, group: group, allocation: granted.id, content: content, dataDirectory: data,
            gpt2: try await publish(fixtures.appendingPathComponent("tiny-gpt2"), files: modelFiles, kind: .checkpoint, slug: "tiny-gpt2"),
            bert: try await publish(fixtures.appendingPathComponent("tiny-bert"), files: modelFiles, kind: .checkpoint, slug: "tiny-bert"),
            datasets: try await publish(
                TestDatabase.repositoryRoot.appendingPathComponent("Ops/demo/datasets"), kind: .dataset, slug: "demo-datasets"))
    }

    /// A suite of tasks reading files of the dataset artifact (or of `dataset`), created under fresh slugs.
    func suite(_ slug: String, tasks: [(EvaluationTask.Kind, file: String, config: [String: String])], dataset: Identifier<Artifact>? = nil)
        async throws
        -> EvaluationSuite
    {
        var ids: [Identifier<EvaluationTask>] = []
        for (index, task) in tasks.enumerated() {
            let record = try EvaluationTask(
                slug: "\(slug)-\(index)", name: "\(slug) \(index)", kind: task.0, config: task.config, metrics: ["any"],
                datasetArtifactID: dataset ?? datasets, datasetPath: task.file)
            try await store.evaluations.create(record)
            ids.append(record.id)
        }
        let suite = try EvaluationSuite(slug: slug, name: slug, taskIDs: ids)
        try await store.evaluations.create(suite)
        return suite
    }

    /// A queued run long enough to be caught running: `documents` small perplexity documents, one per batch, on tiny-gpt2.
    func longRun(documents: Int) async throws -> Identifier<EvalRun> {
        let lines = (0..<documents).map { "{\"text\": \"Document \($0) of a long evaluation.\"}" }.joined(separator: "\n")
        let folder = dataDirectory.appendingPathComponent("long")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data(lines.utf8).write(to: folder.appendingPathComponent("long.jsonl"))
        let long = try await ArtifactImporter(artifacts: store.artifacts, content: content).importDirectory(
            folder, as: try Artifact(workingGroupID: group.id, kind: .dataset, slug: "long", title: "long"), publish: true, actor: actor)
        let suite = try await self.suite("long", tasks: [(.perplexity, "long.jsonl", ["batch_size": "1"])], dataset: long.artifact.id)
        return try await queue(gpt2, suite)
    }

    func queue(_ checkpoint: Identifier<Artifact>, _ suite: EvaluationSuite, reserve: Decimal = 0.01) async throws -> Identifier<EvalRun> {
        try await store.runs.queue(group: group.id, checkpoint: checkpoint, suite: suite.id, reserve: reserve, actor: actor).run.id
    }

    func runner(_ owner: String, untilIdle: Bool = true, configure: (inout RunnerConfiguration) -> Void = { _ in }) -> Runner {
        var configuration = RunnerConfiguration(dataDirectory: dataDirectory, owner: owner)
        configuration.untilIdle = untilIdle
        configuration.threads = 1
        configuration.renewSeconds = 0.2
        configuration.pollSeconds = 0.5
        configure(&configuration)
        var logger = Logger(label: "runner-tests")
        logger.logLevel = .critical
        return Runner(store: store, database: database, content: content, configuration: configuration, logger: logger)
    }

    func status(_ id: Identifier<EvalRun>) async throws -> EvalRun.Status {
        try #require(try await store.runs.find(id)).run.status
    }

    func scalar<T: SQLDecodable>(_ query: SQLQuery, as: T.Type = T.self) async throws -> T {
        try #require(try await pool.query(query).first).decode(at: 0)
    }

    func removeData() { try? FileManager.default.removeItem(at: dataDirectory) }
}
