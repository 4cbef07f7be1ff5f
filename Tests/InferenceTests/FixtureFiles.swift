import Foundation

/// Paths to the committed fixtures and to the fetched all-MiniLM-L6-v2 model.
enum FixtureFiles {
    static var root: String {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            preconditionFailure("Fixtures resource folder is missing from the test bundle")
        }
        return url.path
    }

    static func path(_ relative: String) -> String { root + "/" + relative }

    static func json<T: Decodable>(_ relative: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: URL(fileURLWithPath: path(relative))))
    }

    /// The all-MiniLM-L6-v2 directory: `$CONSORTIUM_MINILM_DIR`, else `.data/models/all-MiniLM-L6-v2`
    /// in the package, as filled by `Ops/scripts/fetch-models.sh`.
    static var miniLMDirectory: String {
        if let env = ProcessInfo.processInfo.environment["CONSORTIUM_MINILM_DIR"], !env.isEmpty { return env }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return package.appendingPathComponent(".data/models/all-MiniLM-L6-v2").path
    }

    /// SmolLM2-135M-Instruct (Q4_1 GGUF): `$CONSORTIUM_SMOLLM2_GGUF`, else `.data/models/smollm2/…` as
    /// filled by `Ops/scripts/fetch-models.sh`.
    static var smolLM2File: String {
        if let env = ProcessInfo.processInfo.environment["CONSORTIUM_SMOLLM2_GGUF"], !env.isEmpty { return env }
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return package.appendingPathComponent(".data/models/smollm2/SmolLM2-135M-Instruct.Q4_1.gguf").path
    }

    static var smolLM2MissingMessage: String {
        "SmolLM2 GGUF not found at \(smolLM2File): run Ops/scripts/fetch-models.sh (or set CONSORTIUM_SMOLLM2_GGUF)"
    }

    static var miniLMMissingMessage: String {
        "all-MiniLM-L6-v2 not found at \(miniLMDirectory): run Ops/scripts/fetch-models.sh (or set CONSORTIUM_MINILM_DIR)"
    }
}
