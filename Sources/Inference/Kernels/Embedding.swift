/// Row gathers from embedding tables, checked so that bad ids are an error rather than a read
/// outside the table.
enum Embedding {
    /// Adds `table[ids[i]]` to row `i` of `x`.
    static func add(_ table: Matrix, ids: [Int], into x: inout Matrix, name: String) throws(ModelError) {
        let C = table.cols
        for (row, id) in ids.enumerated() {
            guard id >= 0 && id < table.rows else {
                throw ModelError(.tokenOutOfRange, "id \(id) is outside \(name) (\(table.rows) rows)")
            }
            for c in 0..<C { x.storage[row * C + c] += table.storage[id * C + c] }
        }
    }
}
