import Foundation

/// Writes safetensors images for tests, including deliberately malformed ones.
struct SafetensorsBuilder {
    struct Entry {
        var name: String
        var dtype: String
        var shape: [Int]
        var offsets: [Int]
    }

    var entries: [Entry] = []
    var data: [UInt8] = []

    /// Appends an F32 tensor with the given values.
    mutating func addFloats(_ name: String, shape: [Int], _ values: [Float]) {
        let begin = data.count
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        entries.append(Entry(name: name, dtype: "F32", shape: shape, offsets: [begin, data.count]))
    }

    /// Appends raw bytes under a dtype.
    mutating func addRaw(_ name: String, dtype: String, shape: [Int], _ bytes: [UInt8]) {
        let begin = data.count
        data.append(contentsOf: bytes)
        entries.append(Entry(name: name, dtype: dtype, shape: shape, offsets: [begin, data.count]))
    }

    func headerJSON(metadata: [String: String] = [:]) -> String {
        var parts: [String] = []
        if !metadata.isEmpty {
            parts.append("\"__metadata__\":{" + metadata.map { "\"\($0)\":\"\($1)\"" }.joined(separator: ",") + "}")
        }
        for e in entries {
            parts.append("\"\(e.name)\":{\"dtype\":\"\(e.dtype)\",\"shape\":\(e.shape),\"data_offsets\":\(e.offsets)}")
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// The whole file: length prefix, header (space-padded to 8 bytes, as writers do), data.
    func bytes(header: String? = nil, declaredLength: UInt64? = nil) -> [UInt8] {
        var json = Array((header ?? headerJSON()).utf8)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var out: [UInt8] = []
        withUnsafeBytes(of: (declaredLength ?? UInt64(json.count)).littleEndian) { out.append(contentsOf: $0) }
        return out + json + data
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func temporaryDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "inference-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
