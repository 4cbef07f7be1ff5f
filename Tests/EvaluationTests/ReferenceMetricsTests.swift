import Foundation
import Inference
import Testing

@testable import Evaluation

/// Every task's metrics against the same task computed with Hugging Face transformers (and SciPy) on the same
/// checkpoint and dataset, from `Fixtures/reference_metrics.json` (made by `Ops/fixtures/make_evaluation_references.py`).
@Suite struct ReferenceMetricsTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            let task: String
            let model: String
            let dataset: String
            let parameters: [String: String]
            let metrics: [String: Double?]
        }
        let cases: [Case]
    }

    /// Continuous metrics: transformers computes in float32 with other kernels, so per-token log-probabilities differ in
    /// the last bits; shares and accuracies are counts and must match exactly.
    static let tolerance = 1e-4

    static let reference: Reference = {
        do {
            return try JSONDecoder().decode(Reference.self, from: try Paths.fixture("reference_metrics.json"))
        } catch {
            preconditionFailure("Fixtures/reference_metrics.json is unreadable: \(error)")
        }
    }()

    static var labels: [String] { reference.cases.map { "\($0.task) \($0.model) \($0.dataset) \($0.parameters)" } }

    @Test(arguments: labels)
    func metricsMatchTransformers(label: String) throws {
        let reference = try #require(Self.reference.cases.first { "\($0.task) \($0.model) \($0.dataset) \($0.parameters)" == label })
        let directory = reference.model == "all-MiniLM-L6-v2" ? Paths.miniLM : Paths.tiny(reference.model)
        try #require(
            FileManager.default.fileExists(atPath: directory + "/model.safetensors"),
            "\(directory) is missing: run Ops/scripts/fetch-models.sh (or set CONSORTIUM_MINILM_DIR)")
        let kind = try #require(TaskKind(rawValue: reference.task))
        let data =
            reference.dataset.hasPrefix("fixture:")
            ? try Paths.fixture(String(reference.dataset.dropFirst("fixture:".count))) : try Paths.dataset(reference.dataset)
        let outcome = try Evaluator.evaluate(
            kind, checkpoint: try Checkpoint(directory: directory), dataset: data, datasetName: reference.dataset,
            parameters: try TaskParameters(reference.parameters, for: kind))
        #expect(outcome.metrics.count >= reference.metrics.keys.filter { !$0.hasSuffix(".stderr") }.count)
        for (name, expected) in reference.metrics.sorted(by: { $0.key < $1.key }) {
            let actual =
                name.hasSuffix(".stderr")
                ? outcome.metrics.first { $0.name == String(name.dropLast(".stderr".count)) }?.standardError
                : outcome.value(name)
            guard let expected else {
                #expect(actual == nil, "\(name)")
                continue
            }
            let value = try #require(actual, "\(name) was not reported")
            #expect(abs(value - expected) <= Self.tolerance * max(abs(expected), 1), "\(name): \(value) vs transformers \(expected)")
        }
    }
}
