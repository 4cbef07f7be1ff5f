import Foundation

/// A memory-mapped, validated safetensors file.
///
/// ```swift
/// let file = try SafetensorsFile(path: "model.safetensors")
/// let embeddings = try file.floats("embeddings.word_embeddings.weight")
/// ```
public struct SafetensorsFile: Sendable {
    /// The path the file was opened from; used in errors.
    public let path: String
    /// The validated header.
    public let header: SafetensorsHeader
    private let mapping: MappedFile

    /// Maps and validates the file at `path`.
    /// - Throws: ``SafetensorsError`` if the file cannot be read or is malformed.
    public init(path: String) throws(SafetensorsError) {
        self.path = path
        self.mapping = try MappedFile(path: path)
        self.header = try SafetensorsHeader.parse(mapping.bytes, file: path)
    }

    /// Tensor entries by name.
    public var tensors: [String: TensorInfo] { header.tensors }

    /// Whether F32 tensors are read in place from the mapping (`CONSORTIUM_MAP_WEIGHTS=0` copies them instead, as
    /// llama.cpp's `--no-mmap` does: for file systems where mapped reads are slow, or files that may be rewritten
    /// in place while loaded, which would fault a mapped reader).
    static let mapsWeights = ProcessInfo.processInfo.environment["CONSORTIUM_MAP_WEIGHTS"] != "0"

    /// A tensor's elements for a model to keep: read in place when it is little-endian F32 at a 4-byte-aligned
    /// address (what safetensors writers produce), else converted into an array as ``floats(_:)`` does.
    /// - Throws: ``SafetensorsError`` if the tensor is absent or not F32/F16/BF16.
    func weightElements(_ name: String) throws(SafetensorsError) -> WeightMatrix.Elements {
        #if _endian(little)
            if Self.mapsWeights, let info = header.tensors[name], info.dtype == .float32, let base = mapping.bytes.baseAddress {
                let start = header.dataOffset + info.byteRange.lowerBound
                if Int(bitPattern: base + start) % MemoryLayout<Float>.alignment == 0 {
                    return .mapped(mapping, offset: start, count: info.elementCount)
                }
            }
        #endif
        return .owned(try floats(name))
    }

    /// Reads a floating-point tensor, converting F16 and BF16 to `Float`.
    /// - Returns: the elements in row-major order.
    /// - Throws: ``SafetensorsError`` if the tensor is absent or not F32/F16/BF16.
    public func floats(_ name: String) throws(SafetensorsError) -> [Float] {
        guard let info = header.tensors[name] else {
            throw SafetensorsError(.missingTensor, file: path, tensor: name, "not in this file")
        }
        let start = header.dataOffset + info.byteRange.lowerBound
        let bytes = UnsafeRawBufferPointer(rebasing: mapping.bytes[start..<(header.dataOffset + info.byteRange.upperBound)])
        let count = info.elementCount
        defer { mapping.release(start..<(header.dataOffset + info.byteRange.upperBound)) }
        switch info.dtype {
        case .float32:
            return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0..<count {
                    buffer[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
                }
                initialized = count
            }
        case .float16:
            return (0..<count).map { i in
                Float(Float16(bitPattern: UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))))
            }
        case .bfloat16:
            return (0..<count).map { i in
                Float(bitPattern: UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
            }
        default:
            throw SafetensorsError(.unsupportedDType, file: path, tensor: name, "dtype \(info.dtype.rawValue) cannot be read as floating point")
        }
    }
}
