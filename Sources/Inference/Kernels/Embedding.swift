/// Row gathers from embedding tables, checked so that bad ids are an error rather than a read
/// outside the table.
enum Embedding {
    /// Adds `table[ids[i]]` to row `i` of `x`.
    static func add(_ table: WeightMatrix, ids: [Int], into x: inout Matrix, name: String) throws(ModelError) {
        let C = table.cols
        if let bad = ids.first(where: { $0 < 0 || $0 >= table.rows }) {
            throw ModelError(.tokenOutOfRange, "id \(bad) is outside \(name) (\(table.rows) rows)")
        }
        table.withUnsafeBufferPointer { rows in
            x.storage.withUnsafeMutableBufferPointer { out in
                for (row, id) in ids.enumerated() {
                    for c in 0..<C { out[row * C + c] += rows[id * C + c] }
                }
            }
        }
    }
}
