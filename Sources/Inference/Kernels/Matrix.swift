/// A dense row-major `Float` matrix: rows are tokens, columns are features.
public struct Matrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let cols: Int
    /// Elements, `rows * cols` of them, row after row.
    public var storage: [Float]

    /// Wraps existing elements; `storage.count` must equal `rows * cols`.
    public init(rows: Int, cols: Int, storage: [Float]) {
        precondition(storage.count == rows * cols, "matrix storage does not match its shape")
        self.rows = rows
        self.cols = cols
        self.storage = storage
    }

    /// A zero-filled matrix.
    public init(rows: Int, cols: Int) {
        self.init(rows: rows, cols: cols, storage: [Float](repeating: 0, count: rows * cols))
    }

    /// A matrix whose elements are about to be overwritten; skips zero-filling memory that a GEMM
    /// or kernel writes in full anyway.
    init(uninitializedRows rows: Int, cols: Int) {
        self.rows = rows
        self.cols = cols
        self.storage = [Float](unsafeUninitializedCapacity: rows * cols) { _, count in count = rows * cols }
    }

    /// One row as an array.
    public func row(_ index: Int) -> [Float] {
        Array(storage[(index * cols)..<((index + 1) * cols)])
    }

    /// The rows in `range` as a new matrix.
    public func rows(_ range: Range<Int>) -> Matrix {
        Matrix(rows: range.count, cols: cols, storage: Array(storage[(range.lowerBound * cols)..<(range.upperBound * cols)]))
    }

    /// Largest absolute element-wise difference; the shapes must match.
    public func maxAbsDifference(_ other: Matrix) -> Float {
        precondition(rows == other.rows && cols == other.cols, "shape mismatch")
        var worst: Float = 0
        for i in storage.indices { worst = max(worst, abs(storage[i] - other.storage[i])) }
        return worst
    }

    /// Adds `other` element-wise (residual connections).
    mutating func add(_ other: Matrix) {
        storage.withUnsafeMutableBufferPointer { y in
            other.storage.withUnsafeBufferPointer { x in
                for i in 0..<y.count { y[i] += x[i] }
            }
        }
    }
}
