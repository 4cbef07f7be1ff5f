/// A read-only row-major matrix of model weights: elements of its own, or F32 elements read in place from a
/// memory-mapped safetensors file, which stays mapped while any matrix that reads it lives.
///
/// Mapping instead of copying means the page cache holds the checkpoint's one copy, and rows nobody reads (most of an
/// encoder's 30,522-row embedding table) never become resident.
struct WeightMatrix: Sendable {
    /// Where the elements are.
    enum Elements: Sendable {
        case owned([Float])
        /// `count` floats at byte `offset` of `file`; the offset is a multiple of 4.
        case mapped(MappedFile, offset: Int, count: Int)

        var count: Int {
            switch self {
            case .owned(let values): values.count
            case .mapped(_, _, let count): count
            }
        }
    }

    let rows: Int
    let cols: Int
    let elements: Elements

    init(rows: Int, cols: Int, elements: Elements) {
        precondition(elements.count == rows * cols, "weight elements do not match their shape")
        self.rows = rows
        self.cols = cols
        self.elements = elements
    }

    /// Weights with elements of their own.
    init(rows: Int, cols: Int, storage: [Float]) {
        self.init(rows: rows, cols: cols, elements: .owned(storage))
    }

    /// A matrix's elements as weights (tests, and weights computed at load).
    init(_ matrix: Matrix) {
        self.init(rows: matrix.rows, cols: matrix.cols, storage: matrix.storage)
    }

    /// Whether the elements are read in place from a mapped file.
    var isMapped: Bool {
        if case .mapped = elements { return true }
        return false
    }

    /// The elements as a new array.
    var floats: [Float] { withUnsafeBufferPointer { Array($0) } }

    /// Calls `body` with the elements; the pointer is valid only during the call.
    func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        switch elements {
        case .owned(let values):
            return try values.withUnsafeBufferPointer(body)
        case .mapped(let file, let offset, let count):
            // `file` is held by this enum for the whole call, so the mapping cannot go away under `body`.
            guard let base = file.bytes.baseAddress else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
            return try body(UnsafeBufferPointer(start: (base + offset).bindMemory(to: Float.self, capacity: count), count: count))
        }
    }
}
