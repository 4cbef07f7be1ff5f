/// A memory-mapped, validated GGUF file (llama.cpp's format), versions 2 and 3.
///
/// ```swift
/// let file = try GGUFFile(path: "smollm-135m-q8_0.gguf")
/// let layers = try file.int("llama.block_count")
/// let embeddings = try file.floats("token_embd.weight")  // shape == file.tensors["token_embd.weight"]!.shape
/// ```
public struct GGUFFile: Sendable {
    /// The path the file was opened from; used in errors.
    public let path: String
    /// The GGUF version (2 or 3).
    public let version: Int
    /// Metadata values by key.
    public let metadata: [String: GGUFValue]
    /// Tensor entries by name.
    public let tensors: [String: GGUFTensorInfo]
    /// Alignment of tensor offsets (`general.alignment`, default 32).
    public let alignment: Int
    /// Offset of the data section from the start of the file.
    public let dataOffset: Int
    private let mapping: MappedFile

    /// Maps and validates the file at `path`.
    /// - Throws: ``GGUFError`` if the file cannot be read or is malformed.
    public init(path: String) throws(GGUFError) {
        self.path = path
        do {
            self.mapping = try MappedFile(path: path)
        } catch {
            throw GGUFError(.unreadableFile, file: path, error.detail)
        }
        let header = try GGUFHeader.parse(mapping.bytes, file: path)
        self.version = header.version
        self.metadata = header.metadata
        self.tensors = header.tensors
        self.alignment = header.alignment
        self.dataOffset = header.dataOffset
    }

    /// The tensor's elements dequantised to Float, row-major in PyTorch order (shape == info.shape).
    ///
    /// Reads F32, F16, BF16, Q8_0, Q4_0 and Q4_1, bit-exact with gguf-py's `gguf.quants.dequantize`
    /// and ggml's `dequantize_row_*`. The tensor's pages are released from memory once copied.
    /// - Throws: ``GGUFError`` (`missingTensor`, `unsupportedType`) naming the tensor.
    public func floats(_ name: String) throws(GGUFError) -> [Float] {
        guard let info = tensors[name] else {
            throw GGUFError(.missingTensor, file: path, tensor: name, "not in this file")
        }
        guard info.type.isReadableAsFloat else {
            throw GGUFError(.unsupportedType, file: path, tensor: name, "type \(info.type) cannot be dequantised to Float")
        }
        let range = (dataOffset + info.offset)..<(dataOffset + info.offset + info.byteCount)
        defer { mapping.release(range) }
        let rowLength = info.dimensions.first ?? 1
        let bytes = UnsafeRawBufferPointer(rebasing: mapping.bytes[range])
        return info.type.dequantize(bytes, rows: info.elementCount / rowLength, rowLength: rowLength)
    }
}
