public import Domain
public import Foundation

/// The demo's evaluations: the demo datasets as a dataset artifact, one task per kind, three suites, the checkpoints
/// given (a real sentence encoder, tiny random test models) published in their groups, an hourly schedule for each
/// and one run queued now — so a runner started beside the server fills the pages with real results within minutes.
/// Safe to run again: it does nothing once the demo suites exist.
public struct EvaluationDemoSeeder: Sendable {
    /// A checkpoint folder to publish, where, and which suite to schedule for it.
    public struct Checkpoint: Sendable {
        public let directory: URL
        public let files: [String]?
        public let groupName: String
        public let slug: String
        public let title: String
        public let suite: String

        public init(directory: URL, files: [String]? = nil, groupName: String, slug: String, title: String, suite: String) {
            self.directory = directory
            self.files = files
            self.groupName = groupName
            self.slug = slug
            self.title = title
            self.suite = suite
        }
    }

    let store: Store
    let content: any ContentStore
    let actor = Actor(name: "demo seed")

    /// A seeder writing through `store` into `content`.
    public init(store: Store, content: any ContentStore) {
        self.store = store
        self.content = content
    }

    /// The task slugs, kinds, dataset files and parameters of the demo, and the suites that group them.
    static let tasks: [(slug: String, name: String, kind: EvaluationTask.Kind, file: String, metrics: [String], config: [String: String])] = [
        (
            "demo-perplexity", "Demo perplexity", .perplexity, "perplexity.jsonl",
            ["perplexity", "word_perplexity", "byte_perplexity", "bits_per_byte"], [:]
        ),
        ("demo-multiple-choice", "Demo multiple choice", .multipleChoice, "multiple_choice.jsonl", ["acc", "acc_norm"], [:]),
        (
            "demo-stereotype-pairs", "Demo stereotype pairs", .stereotypePairs, "stereotype_pairs.jsonl",
            ["stereotype_share", "likelihood_difference"], [:]
        ),
        (
            "demo-fill-mask-probe", "Demo fill-mask probe", .fillMaskProbe, "fill_mask_probe.jsonl", ["js_divergence", "top_k_overlap"],
            ["top_k": "5"]
        ),
        ("demo-embedding-similarity", "Demo embedding similarity", .embeddingSimilarity, "embedding_similarity.jsonl", ["spearman", "pearson"], [:]),
    ]
    /// The checkpoint's own model card (a Hub checkpoint's README.md, front matter and all), else a short one saying where
    /// it came from.
    static func modelCard(_ c: Checkpoint) -> String {
        let readme = c.directory.appendingPathComponent("README.md")
        if let data = FileManager.default.contents(atPath: readme.path), data.count <= 100_000, let text = String(data: data, encoding: .utf8) {
            return text
        }
        return """
            # \(c.title)

            A demo checkpoint, imported from `\(c.directory.lastPathComponent)` by `consortium seed --demo --evaluations` and
            evaluated every hour on the **\(c.suite)** suite. Its scores are on the group's leaderboard.
            """
    }

    static let suites: [(slug: String, name: String, tasks: [String])] = [
        ("causal-lm-demo", "Causal LM demo suite", ["demo-perplexity", "demo-multiple-choice", "demo-stereotype-pairs"]),
        // The demo's masked LM is a tiny test model with a 40-token context, too short for the pairs' sentences.
        ("masked-lm-demo", "Masked LM demo suite", ["demo-fill-mask-probe"]),
        ("encoder-demo", "Sentence encoder demo suite", ["demo-embedding-similarity"]),
    ]

    /// Seeds the demo evaluations; returns the runs queued (none when already seeded).
    public func seed(datasets: URL, checkpoints: [Checkpoint]) async throws -> [Identifier<EvalRun>] {
        guard try await store.evaluations.suite(slug: Self.suites[0].slug) == nil else { return [] }
        guard let evaluation = try await group(named: "Evaluation") else { throw StoreError.notFound("the demo's Evaluation group") }
        let importer = ArtifactImporter(artifacts: store.artifacts, content: content)
        let data = try await importer.importDirectory(
            datasets, files: Self.tasks.map(\.file),
            as: try Artifact(
                workingGroupID: evaluation.id, kind: .dataset, slug: "demo-evaluation-datasets", title: "Demo evaluation datasets",
                description: "Small JSONL datasets written for this project, one per task kind.", license: "CC-BY-4.0"),
            publish: true, actor: actor)
        var taskIDs: [String: Identifier<EvaluationTask>] = [:]
        for t in Self.tasks {
            let task = try EvaluationTask(
                slug: t.slug, name: t.name, kind: t.kind, config: t.config, metrics: t.kind.metrics, datasetArtifactID: data.artifact.id,
                datasetPath: t.file)
            try await store.evaluations.create(task)
            taskIDs[t.slug] = task.id
        }
        var suiteIDs: [String: Identifier<EvaluationSuite>] = [:]
        for s in Self.suites {
            let suite = try EvaluationSuite(slug: s.slug, name: s.name, taskIDs: s.tasks.compactMap { taskIDs[$0] })
            try await store.evaluations.create(suite)
            suiteIDs[s.slug] = suite.id
        }
        var runs: [Identifier<EvalRun>] = []
        for c in checkpoints {
            guard let group = try await group(named: c.groupName), let suite = suiteIDs[c.suite] else { continue }
            try await ensureAllocation(group)
            let listing = try await importer.importDirectory(
                c.directory, files: c.files,
                as: try Artifact(
                    workingGroupID: group.id, kind: .checkpoint, slug: c.slug, title: c.title, description: Self.modelCard(c),
                    license: "Apache-2.0"), publish: true,
                actor: actor)
            _ = try await store.schedules.create(
                group: group.id, checkpoint: listing.artifact.id, suite: suite, cron: try CronExpression("0 * * * *"), enabled: true, actor: actor)
            runs.append(try await store.runs.queue(group: group.id, checkpoint: listing.artifact.id, suite: suite, reserve: 1, actor: actor).run.id)
        }
        return runs
    }

    private func group(named name: String) async throws -> WorkingGroup? {
        guard let slug = Slug.from(name: name) else { return nil }
        return try await store.workingGroups.find(slug: slug)
    }

    /// The demo's allocations cover 2026; past it, a group gets a fresh evaluation allocation so the demo still runs.
    private func ensureAllocation(_ group: WorkingGroup) async throws {
        let current = try await store.allocations.list(.init(group: group.slug.rawValue, activeOn: Date()))
        guard !current.contains(where: { $0.resource.unit == .cpuHours }) else { return }
        let start = Calendar(identifier: .gregorian).startOfDay(for: Date())
        _ = try await store.allocations.grant(
            group: group.slug.rawValue, resource: "eval-cpu-pool", amount: 5_000,
            period: try DatePeriod(start: start, end: start.addingTimeInterval(365 * 86_400)), justification: "demo evaluations",
            slurmAccount: nil, actor: actor)
    }
}
