import Foundation
import Inference

/// The reference outputs `Ops/fixtures/make_inference_fixtures.py` recorded from transformers.
struct ReferenceOutputs {
    struct Metadata: Decodable {
        let texts: [String]
        let ids: [[Int32]]
        let padded_ids: [[Int32]]
        let padded_mask: [[Int32]]
        let embeddings: [[Float]]?
        let mean_nll: [Double?]?
        let seed: Int
        let transformers: String
    }

    let metadata: Metadata
    let tensors: SafetensorsFile

    init(fixture: String) throws {
        metadata = try FixtureFiles.json("\(fixture)/expected.json", as: Metadata.self)
        tensors = try SafetensorsFile(path: FixtureFiles.path("\(fixture)/expected.safetensors"))
    }

    /// A 2-D reference tensor as a matrix.
    func matrix(_ name: String) throws -> Matrix {
        let shape = try require(tensors.tensors[name]?.shape, "no reference tensor \(name)")
        return Matrix(rows: shape[0], cols: shape[1], storage: try tensors.floats(name))
    }

    /// Row `index` of the first axis of a 3-D reference tensor, cut to `length` rows.
    func batchItem(_ name: String, _ index: Int, length: Int) throws -> Matrix {
        let shape = try require(tensors.tensors[name]?.shape, "no reference tensor \(name)")
        let all = try tensors.floats(name)
        let (T, C) = (shape[1], shape[2])
        return Matrix(rows: length, cols: C, storage: Array(all[(index * T * C)..<(index * T * C + length * C)]))
    }
}

/// `#require` outside a test function: throws when the value is absent.
func require<T>(_ value: T?, _ message: String = "missing value") throws -> T {
    guard let value else { throw ReferenceError(message: message) }
    return value
}

struct ReferenceError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
