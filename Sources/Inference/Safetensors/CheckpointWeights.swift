import Foundation

/// All tensors of a checkpoint directory: one `model.safetensors`, or shards listed by
/// `model.safetensors.index.json`.
public struct CheckpointWeights: Sendable {
    /// Files by name (relative to the directory).
    let files: [String: SafetensorsFile]
    /// Which file holds each tensor.
    let location: [String: String]
    /// The directory, used in errors.
    public let directory: String

    /// Opens the weights in `directory`, preferring a sharded index when present.
    /// - Throws: ``SafetensorsError`` if a file is missing or malformed, or a tensor is claimed twice.
    public init(directory: String) throws(SafetensorsError) {
        self.directory = directory
        let indexPath = directory + "/model.safetensors.index.json"
        if FileManager.default.fileExists(atPath: indexPath) {
            let shardNames = try Self.shardNames(indexPath: indexPath)
            var files: [String: SafetensorsFile] = [:]
            var location: [String: String] = [:]
            for (tensor, shard) in shardNames {
                if files[shard] == nil { files[shard] = try SafetensorsFile(path: directory + "/" + shard) }
                guard files[shard]?.tensors[tensor] != nil else {
                    throw SafetensorsError(.invalidIndex, file: indexPath, tensor: tensor, "index places it in \(shard), which does not hold it")
                }
                location[tensor] = shard
            }
            for (shard, file) in files {
                for name in file.tensors.keys where location[name] != shard {
                    throw SafetensorsError(.invalidIndex, file: file.path, tensor: name, "tensor is in a shard but not in the index's weight_map")
                }
            }
            self.files = files
            self.location = location
        } else {
            let file = try SafetensorsFile(path: directory + "/model.safetensors")
            self.files = ["model.safetensors": file]
            self.location = Dictionary(uniqueKeysWithValues: file.tensors.keys.map { ($0, "model.safetensors") })
        }
    }

    /// All tensor names.
    public var names: Set<String> { Set(location.keys) }

    /// The entry for a tensor, if present.
    public func info(_ name: String) -> TensorInfo? {
        location[name].flatMap { files[$0]?.tensors[name] }
    }

    /// The path of the file holding `name` (or of the checkpoint directory if absent), for errors.
    public func path(of name: String) -> String {
        location[name].flatMap { files[$0]?.path } ?? directory
    }

    /// Reads a floating-point tensor.
    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        try file(holding: name).floats(name)
    }

    /// A tensor's elements for a model to keep: mapped in place where the dtype allows (see
    /// ``SafetensorsFile/weightElements(_:)``).
    func weightElements(_ name: String) throws(SafetensorsError) -> WeightMatrix.Elements {
        try file(holding: name).weightElements(name)
    }

    private func file(holding name: String) throws(SafetensorsError) -> SafetensorsFile {
        guard let shard = location[name], let file = files[shard] else {
            throw SafetensorsError(.missingTensor, file: directory, tensor: name, "not in the checkpoint")
        }
        return file
    }

    private static func shardNames(indexPath: String) throws(SafetensorsError) -> [String: String] {
        struct Index: Decodable { let weight_map: [String: String] }
        let index: Index
        do {
            index = try JSONDecoder().decode(Index.self, from: Data(contentsOf: URL(fileURLWithPath: indexPath)))
        } catch {
            throw SafetensorsError(.invalidIndex, file: indexPath, "not a valid index (needs a weight_map of tensor → shard file)")
        }
        for (tensor, shard) in index.weight_map where shard.contains("/") || shard.hasPrefix(".") || !shard.hasSuffix(".safetensors") {
            throw SafetensorsError(
                .invalidIndex, file: indexPath, tensor: tensor, "shard name '\(shard)' is not a .safetensors file in this directory")
        }
        return index.weight_map
    }
}
