/// One tensor's entry in a safetensors header, already validated against the file.
public struct TensorInfo: Hashable, Sendable {
    /// The tensor's name in the checkpoint.
    public let name: String
    /// Element type.
    public let dtype: TensorDType
    /// Dimensions, outermost first.
    public let shape: [Int]
    /// Byte range relative to the start of the data section.
    public let byteRange: Range<Int>

    /// Number of elements (product of ``shape``; 1 for a scalar).
    public var elementCount: Int { shape.reduce(1, *) }
}
