/// The element types a safetensors header may name.
///
/// All are accepted by the header validator so that real checkpoints with integer buffers
/// (for example BERT's `position_ids`) open; only the floating-point ones can be read as weights.
public enum TensorDType: String, Sendable, CaseIterable {
    case float64 = "F64", float32 = "F32", float16 = "F16", bfloat16 = "BF16"
    case int64 = "I64", int32 = "I32", int16 = "I16", int8 = "I8", uint8 = "U8", bool = "BOOL"

    /// Size of one element in bytes.
    public var byteCount: Int {
        switch self {
        case .float64, .int64: 8
        case .float32, .int32: 4
        case .float16, .bfloat16, .int16: 2
        case .int8, .uint8, .bool: 1
        }
    }

    /// Whether ``SafetensorsFile/floats(_:)`` can convert this dtype to `Float`.
    public var isReadableAsFloat: Bool {
        self == .float32 || self == .float16 || self == .bfloat16
    }
}
