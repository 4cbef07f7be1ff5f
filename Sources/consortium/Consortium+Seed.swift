import ArgumentParser
import Database
import Foundation
import Store

extension Consortium {
    struct Seed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Load data. --demo loads a fictitious BigScience-sized consortium (safe to run again).")

        @OptionGroup var options: GlobalOptions

        @Flag(help: "Load the demo consortium: ~600 members, 250 institutions, 50 countries, 16 working groups.")
        var demo = false

        @Flag(help: "Also load the demo evaluations: datasets, tasks, suites, checkpoints, hourly schedules and a first run each.")
        var evaluations = false

        @Option(help: "Folder of the demo datasets.")
        var datasetsDir = "Ops/demo/datasets"

        @Option(help: "all-MiniLM-L6-v2 (skipped when missing; Ops/scripts/fetch-models.sh fetches it).")
        var minilmDir = ".data/models/all-MiniLM-L6-v2"

        @Option(help: "SmolLM2-135M-Instruct GGUF file (seeded as a causal-LM checkpoint when present).")
        var smollm2File = ".data/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"

        @Option(help: "Folder with the tiny random test checkpoints (tiny-gpt2, tiny-bert).")
        var tinyModelsDir = "Tests/InferenceTests/Fixtures"

        func validate() throws {
            if !self.demo { throw ValidationError("nothing to seed: pass --demo") }
        }

        func run() async throws {
            let pool = try await self.options.migratedPool()
            defer { pool.shutdown() }
            let report = try await DemoSeeder(pool: pool, logger: self.options.logger(label: "consortium.seed")).seed(try DemoConsortium())
            print(report.total == 0 ? "Demo consortium already present; nothing to add." : "Seeded demo consortium: \(report)")
            guard self.evaluations else { return }
            let data = self.options.dataDirectory
            let modelFiles = ["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"]
            let tiny = URL(fileURLWithPath: self.tinyModelsDir)
            var checkpoints = [
                EvaluationDemoSeeder.Checkpoint(
                    directory: tiny.appendingPathComponent("tiny-gpt2"), files: modelFiles, groupName: "Architecture & Scaling",
                    slug: "tiny-random-gpt2", title: "Tiny random GPT-2 (test fixture, untrained)", suite: "causal-lm-demo"),
                EvaluationDemoSeeder.Checkpoint(
                    directory: tiny.appendingPathComponent("tiny-bert"), files: modelFiles, groupName: "Interpretability",
                    slug: "tiny-random-bert", title: "Tiny random BERT with a masked-LM head (test fixture, untrained)", suite: "masked-lm-demo"),
            ]
            if FileManager.default.fileExists(atPath: self.minilmDir + "/model.safetensors") {
                checkpoints.append(
                    EvaluationDemoSeeder.Checkpoint(
                        directory: URL(fileURLWithPath: self.minilmDir), groupName: "Evaluation", slug: "all-minilm-l6-v2",
                        title: "all-MiniLM-L6-v2 sentence encoder", suite: "encoder-demo"))
            } else {
                print("all-MiniLM-L6-v2 not found at \(self.minilmDir); the encoder suite gets no checkpoint (run Ops/scripts/fetch-models.sh)")
            }
            let smolLM2 = URL(fileURLWithPath: self.smollm2File)
            if FileManager.default.fileExists(atPath: smolLM2.path) {
                // A real trained causal LM beside the tiny random one, so the causal suite's leaderboard means something.
                checkpoints.append(
                    EvaluationDemoSeeder.Checkpoint(
                        directory: smolLM2.deletingLastPathComponent(), files: [smolLM2.lastPathComponent], groupName: "Architecture & Scaling",
                        slug: "smollm2-135m-instruct-q4-1", title: "SmolLM2-135M-Instruct (HuggingFaceTB, Apache-2.0), Q4_1 GGUF",
                        suite: "causal-lm-demo"))
            } else {
                print("SmolLM2 not found at \(self.smollm2File); the causal suite runs on the tiny GPT-2 only (run Ops/scripts/fetch-models.sh)")
            }
            let runs = try await EvaluationDemoSeeder(
                store: Store(pool: pool), content: try LocalContentStore(root: data.appendingPathComponent("artifacts"))
            ).seed(datasets: URL(fileURLWithPath: self.datasetsDir), checkpoints: checkpoints)
            print(runs.isEmpty ? "Demo evaluations already present; nothing to add." : "Seeded demo evaluations; queued \(runs.count) runs.")
        }
    }
}
