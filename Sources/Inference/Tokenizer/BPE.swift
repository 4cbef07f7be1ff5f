import Synchronization

/// Byte-pair encoding: starts from single characters and repeatedly applies the lowest-ranked
/// merge (leftmost on ties), as Hugging Face tokenizers does.
struct BPE: TokenizerModel {
    private struct Pair: Hashable { let left: Int, right: Int }
    private struct Merge { let rank: Int, result: Int }

    let vocab: Vocabulary
    let vocabulary: [Int: String]
    let unknownID: Int?
    let ignoreMerges: Bool
    private let merges: [Pair: Merge]
    private let cache = WordCache()

    init(vocab: Vocabulary, merges json: TokenizerJSON, unknownID: Int?, ignoreMerges: Bool) throws(TokenizerError) {
        self.vocab = vocab
        self.vocabulary = invert(vocab)
        self.unknownID = unknownID
        self.ignoreMerges = ignoreMerges
        var merges: [Pair: Merge] = [:]
        for (rank, element) in try json.elements().enumerated() {
            // Older files write "a b"; newer ones write ["a", "b"].
            let parts: [String]
            if let line = element.value.string {
                parts = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
            } else {
                parts = element.value.array?.compactMap(\.string) ?? []
            }
            guard parts.count == 2 else { throw element.invalid("\(element.path) must be a pair of tokens") }
            let (a, b) = (Array(parts[0].unicodeScalars), Array(parts[1].unicodeScalars))
            guard let left = vocab[a], let right = vocab[b], let result = vocab[a + b] else {
                throw element.invalid("\(element.path) merges tokens missing from the vocabulary")
            }
            if merges[Pair(left: left, right: right)] == nil { merges[Pair(left: left, right: right)] = Merge(rank: rank, result: result) }
        }
        self.merges = merges
    }

    func id(of token: String) -> Int? { vocab[Array(token.unicodeScalars)] }

    func tokenize(_ word: [Unicode.Scalar]) -> [Int] {
        if let cached = cache.lookup(word) { return cached }
        let ids = merge(word)
        cache.store(word, ids)
        return ids
    }

    private func merge(_ word: [Unicode.Scalar]) -> [Int] {
        if ignoreMerges, let id = vocab[word] { return [id] }
        var symbols: [Int] = []
        symbols.reserveCapacity(word.count)
        for c in word {
            if let id = vocab[[c]] {
                symbols.append(id)
            } else if let unknownID {
                symbols.append(unknownID)
            }
        }
        while symbols.count > 1 {
            var best: (index: Int, merge: Merge)?
            for i in 0..<(symbols.count - 1) {
                if let m = merges[Pair(left: symbols[i], right: symbols[i + 1])], m.rank < (best?.merge.rank ?? Int.max) {
                    best = (i, m)
                }
            }
            guard let best else { break }
            symbols[best.index] = best.merge.result
            symbols.remove(at: best.index + 1)
        }
        return symbols
    }
}

/// A bounded memo of word → ids. A class behind a mutex so the tokenizer stays an immutable,
/// `Sendable` value while encodings on several threads share what each has learned.
private final class WordCache: Sendable {
    private let words = Mutex<[[Unicode.Scalar]: [Int]]>([:])
    private let capacity = 50_000

    func lookup(_ word: [Unicode.Scalar]) -> [Int]? { words.withLock { $0[word] } }

    func store(_ word: [Unicode.Scalar], _ ids: [Int]) {
        words.withLock { table in
            if table.count >= capacity { table.removeAll(keepingCapacity: true) }
            table[word] = ids
        }
    }
}
