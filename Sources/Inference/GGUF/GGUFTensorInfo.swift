/// One tensor's entry in a GGUF header, already validated against the file.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// The tensor's name in the file.
    public let name: String
    /// Dimensions in GGUF order: `ne[0]` first, the fastest-varying (row length).
    public let dimensions: [Int]
    /// Element type.
    public let type: GGMLType
    /// Byte offset relative to the start of the data section (a multiple of the file's alignment).
    public let offset: Int
    /// Bytes the tensor occupies: rows × blocks per row × bytes per block.
    public let byteCount: Int

    /// Dimensions outermost first, as PyTorch and safetensors write them.
    public var shape: [Int] { dimensions.reversed() }

    /// Number of elements (the validator has checked that the product does not overflow).
    public var elementCount: Int { dimensions.reduce(1, *) }
}
