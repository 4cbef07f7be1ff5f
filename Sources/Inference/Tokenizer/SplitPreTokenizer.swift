/// What a split does with the pieces its pattern matches (the tokenizers library's `SplitDelimiterBehavior`).
enum SplitBehavior: String, Sendable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"

    init(_ json: TokenizerJSON, default fallback: SplitBehavior) throws(TokenizerError) {
        guard let text = try json.optionalString("behavior") else {
            self = fallback
            return
        }
        guard let behavior = SplitBehavior(rawValue: text) else {
            throw json.invalid("\(json.path).behavior '\(text)' is not one of Removed, Isolated, MergedWithPrevious, MergedWithNext, Contiguous")
        }
        self = behavior
    }

    /// The text cut at `segments` (ranges covering it in order, each marked as a match or not), as the tokenizers
    /// library cuts it: matches removed, kept alone, joined to their neighbour, or runs of like segments joined.
    /// Empty pieces are dropped, as the library drops them.
    func apply(_ text: [Unicode.Scalar], _ segments: [(range: Range<Int>, isMatch: Bool)]) -> [[Unicode.Scalar]] {
        let kept: [Range<Int>]
        switch self {
        case .removed: kept = segments.filter { !$0.isMatch }.map(\.range)
        case .isolated: kept = segments.map(\.range)
        case .contiguous: kept = Self.joining(segments) { isMatch, previous in isMatch == previous }
        case .mergedWithPrevious: kept = Self.joining(segments) { isMatch, previous in isMatch && !previous }
        case .mergedWithNext: kept = Self.joining(segments.reversed()) { isMatch, previous in isMatch && !previous }.reversed()
        }
        return kept.filter { !$0.isEmpty }.map { Array(text[$0]) }
    }

    /// The segments' ranges in the order given, each joined to the range before it when `joins(isMatch, previousIsMatch)`
    /// (the first never is); works backwards too, for merging with the next.
    private static func joining(
        _ segments: some Sequence<(range: Range<Int>, isMatch: Bool)>, joins: (Bool, Bool) -> Bool
    ) -> [Range<Int>] {
        var kept: [Range<Int>] = []
        var previous = false
        for segment in segments {
            if let last = kept.last, joins(segment.isMatch, previous) {
                kept[kept.count - 1] = min(last.lowerBound, segment.range.lowerBound)..<max(last.upperBound, segment.range.upperBound)
            } else {
                kept.append(segment.range)
            }
            previous = segment.isMatch
        }
        return kept
    }

    /// Segments for a one-character pattern: each matching character is a match of its own, and the characters
    /// between matches one segment.
    static func segments(_ text: [Unicode.Scalar], matching isMatch: (Unicode.Scalar) -> Bool) -> [(range: Range<Int>, isMatch: Bool)] {
        var segments: [(range: Range<Int>, isMatch: Bool)] = []
        var start = 0
        for (i, c) in text.enumerated() where isMatch(c) {
            if start < i { segments.append((start..<i, false)) }
            segments.append((i..<(i + 1), true))
            start = i + 1
        }
        if start < text.count { segments.append((start..<text.count, false)) }
        return segments
    }
}

/// `Split`: cuts at the matches of a literal string or a regular expression, then applies its behaviour; `invert`
/// swaps which segments count as the matches.
struct SplitPreTokenizer: PreTokenizer {
    enum Pattern: Sendable {
        case string([Unicode.Scalar])
        case regex(ScalarRegex)
    }

    let pattern: Pattern
    let behavior: SplitBehavior
    let invert: Bool

    init(_ json: TokenizerJSON) throws(TokenizerError) {
        let pattern = try json.require("pattern")
        if let text = try pattern.optionalString("String") {
            self.pattern = .string(Array(text.unicodeScalars))
        } else if let source = try pattern.optionalString("Regex") {
            self.pattern = .regex(try ScalarRegex(source, json: pattern))
        } else {
            throw json.invalid("\(json.path).pattern must be {\"String\": …} or {\"Regex\": …}")
        }
        self.behavior = try SplitBehavior(json, default: .isolated)
        self.invert = try json.bool("invert", default: false)
    }

    func split(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        let matches: [Range<Int>]
        switch pattern {
        case .string(let needle): matches = Self.occurrences(of: needle, in: text)
        case .regex(let regex): matches = regex.matches(in: text)
        }
        var segments: [(range: Range<Int>, isMatch: Bool)] = []
        var previous = 0
        for match in matches {
            if previous != match.lowerBound { segments.append((previous..<match.lowerBound, invert)) }
            segments.append((match, !invert))
            previous = match.upperBound
        }
        if previous != text.count { segments.append((previous..<text.count, invert)) }
        return behavior.apply(text, segments)
    }

    /// Non-overlapping occurrences, left to right; none for an empty needle.
    static func occurrences(of needle: [Unicode.Scalar], in text: [Unicode.Scalar]) -> [Range<Int>] {
        guard !needle.isEmpty, needle.count <= text.count else { return [] }
        var found: [Range<Int>] = []
        var i = 0
        while i + needle.count <= text.count {
            if text[i] == needle[0], text[i..<(i + needle.count)].elementsEqual(needle) {
                found.append(i..<(i + needle.count))
                i += needle.count
            } else {
                i += 1
            }
        }
        return found
    }
}

/// `Digits`: numbers apart from the rest, each digit alone or runs of them together.
struct DigitsPreTokenizer: PreTokenizer {
    let individualDigits: Bool

    func split(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        // Rust's `char::is_numeric`: the general categories Nd, Nl and No.
        let segments = SplitBehavior.segments(text) { c in
            switch c.properties.generalCategory {
            case .decimalNumber, .letterNumber, .otherNumber: true
            default: false
            }
        }
        return (individualDigits ? SplitBehavior.isolated : .contiguous).apply(text, segments)
    }
}

/// `Punctuation`: each punctuation character (ASCII punctuation or a Unicode P* category) cut out by its behaviour.
struct PunctuationPreTokenizer: PreTokenizer {
    let behavior: SplitBehavior

    func split(_ text: [Unicode.Scalar]) -> [[Unicode.Scalar]] {
        behavior.apply(text, SplitBehavior.segments(text, matching: Self.isPunctuation))
    }

    static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        if c.isASCII, (33...47).contains(c.value) || (58...64).contains(c.value) || (91...96).contains(c.value) || (123...126).contains(c.value) {
            return true
        }
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
            .otherPunctuation:
            return true
        default:
            return false
        }
    }
}
