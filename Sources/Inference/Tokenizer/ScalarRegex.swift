/// A `tokenizer.json` regular expression, matched over Unicode scalars as the tokenizers library (Oniguruma) matches
/// over code points, not over grapheme clusters as Swift's `Regex` does by default.
struct ScalarRegex: @unchecked Sendable {
    // Regex<AnyRegexOutput> is not declared Sendable; it is an immutable compiled program, only ever read here.
    private let regex: Regex<AnyRegexOutput>

    init(_ source: String, json: TokenizerJSON) throws(TokenizerError) {
        do {
            self.regex = try Regex(source).matchingSemantics(.unicodeScalar)
        } catch {
            throw json.invalid("\(json.path).Regex cannot be compiled: \(error)")
        }
    }

    /// The ranges (in scalars) of the successive non-overlapping matches, left to right.
    func matches(in text: [Unicode.Scalar]) -> [Range<Int>] {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        let string = String(view)
        let scalars = string.unicodeScalars
        var ranges: [Range<Int>] = []
        var (index, offset) = (scalars.startIndex, 0)
        for match in string.matches(of: regex) {
            let start = offset + scalars.distance(from: index, to: match.range.lowerBound)
            let end = start + scalars.distance(from: match.range.lowerBound, to: match.range.upperBound)
            ranges.append(start..<end)
            (index, offset) = (match.range.upperBound, end)
        }
        return ranges
    }
}
