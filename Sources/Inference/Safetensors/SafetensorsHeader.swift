import Foundation

/// The validated header of a safetensors file: tensor entries and free-form metadata.
public struct SafetensorsHeader: Sendable {
    /// Files with larger headers are rejected, as the reference implementation does.
    static let maximumHeaderLength = 100_000_000

    /// Tensors by name.
    public let tensors: [String: TensorInfo]
    /// The `__metadata__` string map, empty if absent.
    public let metadata: [String: String]
    /// Offset of the data section from the start of the file.
    public let dataOffset: Int

    /// Parses and validates a complete safetensors file image.
    ///
    /// Checks the length prefix, that the header is a JSON object of well-formed entries, that every
    /// dtype is known, that shape × dtype size equals each byte range, and that the ranges tile the
    /// data section exactly (inside it, no overlap, no unused bytes).
    /// - Parameters:
    ///   - bytes: the whole file.
    ///   - file: the name used in errors.
    /// - Throws: ``SafetensorsError`` naming the file and tensor.
    public static func parse(_ bytes: UnsafeRawBufferPointer, file: String) throws(SafetensorsError) -> SafetensorsHeader {
        guard bytes.count >= 8 else {
            throw SafetensorsError(.truncatedFile, file: file, "file is \(bytes.count) bytes, shorter than the 8-byte header length")
        }
        let declared = UInt64(littleEndian: bytes.loadUnaligned(as: UInt64.self))
        guard declared <= UInt64(maximumHeaderLength), Int(declared) <= bytes.count - 8 else {
            throw SafetensorsError(
                .headerLengthOutOfBounds, file: file,
                "header length \(declared) exceeds the file (\(bytes.count) bytes) or the \(maximumHeaderLength)-byte limit")
        }
        let headerLength = Int(declared)
        let headerBytes = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + headerLength)])
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw SafetensorsError(.invalidHeader, file: file, "header does not start with '{'")
        }
        let raw: RawHeader
        do {
            raw = try JSONDecoder().decode(RawHeader.self, from: Data(headerBytes))
        } catch {
            throw SafetensorsError(.invalidHeader, file: file, "header is not valid safetensors JSON: \(Self.summary(of: error))")
        }
        let dataOffset = 8 + headerLength
        let tensors = try validate(raw.entries, dataLength: bytes.count - dataOffset, file: file)
        return SafetensorsHeader(tensors: tensors, metadata: raw.metadata, dataOffset: dataOffset)
    }

    private static func validate(_ entries: [String: RawEntry], dataLength: Int, file: String) throws(SafetensorsError) -> [String: TensorInfo] {
        var tensors: [String: TensorInfo] = [:]
        for (name, entry) in entries {
            guard let dtype = TensorDType(rawValue: entry.dtype) else {
                throw SafetensorsError(.unknownDType, file: file, tensor: name, "unknown dtype '\(entry.dtype)'")
            }
            guard entry.data_offsets.count == 2 else {
                throw SafetensorsError(.invalidHeader, file: file, tensor: name, "data_offsets must hold exactly two integers")
            }
            let (begin, end) = (entry.data_offsets[0], entry.data_offsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw SafetensorsError(
                    .offsetsOutOfRange, file: file, tensor: name, "data_offsets [\(begin), \(end)] outside the \(dataLength)-byte data section")
            }
            var count = 1
            for dimension in entry.shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                guard dimension >= 0, !overflow else {
                    throw SafetensorsError(.sizeMismatch, file: file, tensor: name, "shape \(entry.shape) is negative or overflows")
                }
                count = product
            }
            let (byteCount, overflow) = count.multipliedReportingOverflow(by: dtype.byteCount)
            guard !overflow, byteCount == end - begin else {
                throw SafetensorsError(
                    .sizeMismatch, file: file, tensor: name,
                    "shape \(entry.shape) of \(dtype.rawValue) needs \(count)×\(dtype.byteCount) bytes but data_offsets span \(end - begin)")
            }
            tensors[name] = TensorInfo(name: name, dtype: dtype, shape: entry.shape, byteRange: begin..<end)
        }
        // The reference implementation requires the ranges to tile the data section exactly.
        var cursor = 0
        for info in tensors.values.sorted(by: {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound)
        }) {
            if info.byteRange.lowerBound < cursor {
                throw SafetensorsError(.overlappingTensors, file: file, tensor: info.name, "bytes \(info.byteRange) overlap another tensor")
            }
            if info.byteRange.lowerBound > cursor {
                throw SafetensorsError(
                    .unusedBytes, file: file, tensor: info.name, "bytes \(cursor)..<\(info.byteRange.lowerBound) belong to no tensor")
            }
            cursor = info.byteRange.upperBound
        }
        guard cursor == dataLength else {
            throw SafetensorsError(.unusedBytes, file: file, "bytes \(cursor)..<\(dataLength) at the end of the data section belong to no tensor")
        }
        return tensors
    }

    private static func summary(of error: any Error) -> String {
        if case let DecodingError.dataCorrupted(context) = error { return context.debugDescription }
        if case let DecodingError.typeMismatch(_, context) = error {
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): \(context.debugDescription)"
        }
        if case let DecodingError.keyNotFound(key, context) = error {
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")): missing '\(key.stringValue)'"
        }
        return String(describing: error)
    }
}

private struct RawEntry: Decodable {
    let dtype: String
    let shape: [Int]
    let data_offsets: [Int]
}

private struct RawHeader: Decodable {
    var entries: [String: RawEntry] = [:]
    var metadata: [String: String] = [:]

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries[key.stringValue] = try container.decode(RawEntry.self, forKey: key)
            }
        }
    }
}
