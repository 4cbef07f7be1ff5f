/// The fourth tokenizer stage: wraps a single sequence's ids in special tokens (`[CLS] … [SEP]`).
struct PostProcessor: Sendable {
    /// Ids (and their token type) placed before the sequence.
    let prefix: [Int]
    /// Ids placed after the sequence.
    let suffix: [Int]

    static let none = PostProcessor(prefix: [], suffix: [])

    var addedCount: Int { prefix.count + suffix.count }

    func apply(_ ids: [Int]) -> [Int] { prefix + ids + suffix }

    /// Reads `TemplateProcessing`, `BertProcessing`, `RobertaProcessing`, `ByteLevel` (no ids) and
    /// `Sequence` of those.
    init(_ json: TokenizerJSON?) throws(TokenizerError) {
        guard let json else {
            self = .none
            return
        }
        switch json.type {
        case "ByteLevel":
            self = .none
        case "BertProcessing", "RobertaProcessing":
            let cls = try Self.specialPair(json.require("cls"))
            let sep = try Self.specialPair(json.require("sep"))
            self.init(prefix: [cls], suffix: [sep])
        case "TemplateProcessing":
            let specials = try json.require("special_tokens")
            var prefix: [Int] = []
            var suffix: [Int] = []
            var seenSequence = false
            for item in try json.require("single").elements() {
                if item.child("Sequence") != nil {
                    seenSequence = true
                } else if let special = item.child("SpecialToken") {
                    let name = try special.string("id")
                    guard let entry = specials.child(name), let ids = entry.child("ids")?.value.array?.compactMap(\.int) else {
                        throw json.invalid("\(json.path).special_tokens has no ids for '\(name)'")
                    }
                    if seenSequence { suffix += ids } else { prefix += ids }
                } else {
                    throw item.invalid("\(item.path) must be a Sequence or SpecialToken")
                }
            }
            self.init(prefix: prefix, suffix: suffix)
        case "Sequence":
            var combined = PostProcessor.none
            for element in try json.require("processors").elements() {
                let stage = try PostProcessor(element)
                combined = PostProcessor(prefix: stage.prefix + combined.prefix, suffix: combined.suffix + stage.suffix)
            }
            self = combined
        default:
            throw json.unsupported("post_processor")
        }
    }

    private init(prefix: [Int], suffix: [Int]) {
        self.prefix = prefix
        self.suffix = suffix
    }

    private static func specialPair(_ json: TokenizerJSON) throws(TokenizerError) -> Int {
        guard let pair = json.value.array, pair.count == 2, let id = pair[1].int else {
            throw json.invalid("\(json.path) must be [token, id]")
        }
        return id
    }
}
