/// Sequences of different lengths laid end to end, so dense layers run on one (N, C) matrix with no
/// padding rows.
struct PackedBatch: Sendable {
    /// Token ids of every sequence, concatenated.
    let ids: [Int]
    /// Position of each token within its own sequence.
    let positions: [Int]
    /// Row range of each sequence.
    let ranges: [Range<Int>]
    /// Per token, whether others may attend to it; `nil` when nothing is masked.
    let keyMask: [Bool]?

    /// Packs sequences; trailing padding (mask 0 at the end) is dropped, inner masked tokens are
    /// kept and masked so that positions match the reference.
    init(_ sequences: [[Int32]], masks: [[Int32]]? = nil) {
        var ids: [Int] = []
        var positions: [Int] = []
        var ranges: [Range<Int>] = []
        var keyMask: [Bool] = []
        var anyMasked = false
        for (s, sequence) in sequences.enumerated() {
            // A missing or short mask means "all visible" rather than a read past its end.
            let mask = masks.flatMap { s < $0.count ? $0[s] : nil } ?? []
            var length = sequence.count
            if !mask.isEmpty { while length > 0 && (length > mask.count || mask[length - 1] == 0) { length -= 1 } }
            let start = ids.count
            for t in 0..<length {
                ids.append(Int(sequence[t]))
                positions.append(t)
                let visible = mask.isEmpty || mask[t] != 0
                anyMasked = anyMasked || !visible
                keyMask.append(visible)
            }
            ranges.append(start..<ids.count)
        }
        self.ids = ids
        self.positions = positions
        self.ranges = ranges
        self.keyMask = anyMasked ? keyMask : nil
    }

    var tokenCount: Int { ids.count }

    /// Splits a packed (N, X) result back into one matrix per sequence.
    func unpack(_ x: Matrix) -> [Matrix] { ranges.map { x.rows($0) } }
}
