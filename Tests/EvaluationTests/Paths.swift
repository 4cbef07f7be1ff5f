import Foundation

/// The repository's committed files these tests read: the inference fixtures' tiny checkpoints and the demo datasets.
enum Paths {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func tiny(_ name: String) -> String { package.appendingPathComponent("Tests/InferenceTests/Fixtures/\(name)").path }

    static func dataset(_ name: String) throws -> Data { try Data(contentsOf: package.appendingPathComponent("Ops/demo/datasets/\(name)")) }

    /// A file of this target's own fixtures (`Tests/EvaluationTests/Fixtures`).
    static func fixture(_ name: String) throws -> Data {
        try Data(contentsOf: package.appendingPathComponent("Tests/EvaluationTests/Fixtures/\(name)"))
    }

    /// all-MiniLM-L6-v2 as `Ops/scripts/fetch-models.sh` fetches it (or `$CONSORTIUM_MINILM_DIR`).
    static var miniLM: String {
        if let env = ProcessInfo.processInfo.environment["CONSORTIUM_MINILM_DIR"], !env.isEmpty { return env }
        return package.appendingPathComponent(".data/models/all-MiniLM-L6-v2").path
    }
}
