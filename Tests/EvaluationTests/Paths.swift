import Foundation

/// The repository's committed files these tests read: the inference fixtures' tiny checkpoints and the demo datasets.
enum Paths {
    static let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func tiny(_ name: String) -> String { package.appendingPathComponent("Tests/InferenceTests/Fixtures/\(name)").path }

    static func dataset(_ name: String) throws -> Data { try Data(contentsOf: package.appendingPathComponent("Ops/demo/datasets/\(name)")) }
}
