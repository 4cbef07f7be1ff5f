import Foundation

/// Untrusted Markdown from model cards, rendered to HTML that can be embedded as it is.
///
/// Every character of the source reaches the page escaped; the only markup is the renderer's own. Raw HTML shows as
/// text, links go only to http, https, mailto or this site, and images become links so a card cannot make the page
/// fetch anything. Nesting is capped and every look-ahead is bounded, so no input costs more than linear time.
enum Markdown {
    /// Renders a CommonMark subset plus GitHub pipe tables as safe HTML, skipping YAML front matter.
    static func html(_ source: String) -> String {
        render(blocks(lines(of: source), depth: 0).blocks, tight: false)
    }

    /// Quotes and list items nested deeper than this are read as text, which bounds recursion and the work per line.
    private static let maxDepth = 16
    /// How far a link's `(destination "title")` may reach, so failed attempts cannot each rescan the rest of a paragraph.
    private static let maxLinkLength = 2048
}

// MARK: - Blocks

extension Markdown {
    /// A rendered block. Paragraphs stay unwrapped until we know whether an enclosing list is tight.
    private enum Block {
        case paragraph(String)
        case other(String)
    }

    private struct Fence {
        let char: Character
        let length: Int
        let indent: Int
        let info: Substring

        func isClosed(by line: Substring) -> Bool {
            guard let body = unindented(line) else { return false }
            let run = body.prefix(while: { $0 == char }).count
            return run >= length && isBlank(body.dropFirst(run))
        }
    }

    private struct ListMarker {
        let ordered: Bool
        let symbol: Character  // the bullet, or the `.` or `)` after the number
        let start: Int
        let contentIndent: Int
        let content: Substring?  // nil when the item's first line is empty

        func continues(_ list: ListMarker) -> Bool { ordered == list.ordered && symbol == list.symbol }
    }

    /// A column's alignment, as a class: the site's Content-Security-Policy forbids inline styles.
    private enum Alignment: String {
        case plain = ""
        case left = " class=\"align-left\""
        case center = " class=\"align-center\""
        case right = " class=\"align-right\""
    }

    private static func lines(of source: String) -> [Substring] {
        var text = source
        if text.unicodeScalars.first == "\u{FEFF}" { text = String(text.unicodeScalars.dropFirst()) }
        // CommonMark replaces NUL, and browsers treat it inconsistently.
        if text.unicodeScalars.contains("\0") { text = text.replacingOccurrences(of: "\0", with: "\u{FFFD}") }
        var lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }.map(expandingLeadingTabs)
        // Hub model cards open with YAML metadata between `---` lines; it is for the Hub, not for readers.
        if let first = lines.first, trimmed(first) == "---",
            let end = lines.dropFirst().firstIndex(where: { trimmed($0) == "---" || trimmed($0) == "..." })
        {
            lines.removeSubrange(...end)
        }
        return Self.droppingComments(lines)
    }

    /// Without HTML comments outside code fences: the Hub's card template leaves its notes to authors in them, and
    /// readers should not see those. A comment that never closes keeps everything, as text.
    private static func droppingComments(_ lines: [Substring]) -> [Substring] {
        var out: [Substring] = []
        var inComment = false
        var fence: Substring?
        for line in lines {
            let content = line.drop { $0 == " " }
            if !inComment, line.count - content.count <= 3, content.hasPrefix("```") || content.hasPrefix("~~~") {
                let marker = content.prefix(3)
                if fence == nil { fence = marker } else if fence == marker { fence = nil }
                out.append(line)
                continue
            }
            if fence != nil {
                out.append(line)
                continue
            }
            var rest = line[...]
            var kept = ""
            while !rest.isEmpty {
                if inComment {
                    guard let end = rest.range(of: "-->") else { break }
                    rest = rest[end.upperBound...]
                    inComment = false
                } else {
                    guard let start = rest.range(of: "<!--") else {
                        kept += rest
                        break
                    }
                    kept += rest[..<start.lowerBound]
                    rest = rest[start.upperBound...]
                    inComment = true
                }
            }
            // A line that held only a comment goes, so that it does not split the paragraph around it.
            if kept.allSatisfy({ $0 == " " || $0 == "\t" }), !line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            out.append(Substring(kept))
        }
        return inComment ? lines : out
    }

    /// Structure is decided by counting spaces, and CommonMark counts an indenting tab up to the next multiple of four.
    private static func expandingLeadingTabs(_ line: Substring) -> Substring {
        let indent = line.prefix(while: { $0 == " " || $0 == "\t" })
        guard indent.utf8.contains(0x09) else { return line }
        var column = 0
        for char in indent { column += char == "\t" ? 4 - column % 4 : 1 }
        return Substring(String(repeating: " ", count: column)) + line.dropFirst(indent.count)
    }

    private static func render(_ blocks: [Block], tight: Bool) -> String {
        blocks.map { block in
            switch block {
            case .paragraph(let html): tight ? html : "<p>\(html)</p>"
            case .other(let html): html
            }
        }.joined(separator: "\n")
    }

    /// Parses lines into blocks, and says whether a blank line separates two of them (which makes a list item loose).
    private static func blocks(_ lines: [Substring], depth: Int) -> (blocks: [Block], blankBetween: Bool) {
        let containers = depth < maxDepth
        var blocks: [Block] = []
        var blankBetween = false
        var i = 0
        while i < lines.count {
            let line = lines[i]
            if isBlank(line) {
                i += 1
                continue
            }
            if !blocks.isEmpty && isBlank(lines[i - 1]) { blankBetween = true }
            if leadingSpaces(line) >= 4 {
                blocks.append(.other(indentedCode(lines, &i)))
            } else if let fence = openingFence(line) {
                blocks.append(.other(fencedCode(fence, lines, &i)))
            } else if let (level, text) = atxHeading(line) {
                blocks.append(.other(heading(level, text)))
                i += 1
            } else if isThematicBreak(line) {
                blocks.append(.other("<hr>"))
                i += 1
            } else if containers, unindented(line)?.first == ">" {
                blocks.append(.other(blockQuote(lines, &i, depth: depth)))
            } else if containers, let marker = listMarker(line) {
                blocks.append(.other(list(marker, lines, &i, depth: depth)))
            } else if i + 1 < lines.count, let alignments = tableAlignments(header: line, separator: lines[i + 1]) {
                blocks.append(.other(table(alignments, lines, &i)))
            } else {
                blocks.append(paragraph(lines, &i, containers: containers))
            }
        }
        return (blocks, blankBetween)
    }

    private static func paragraph(_ lines: [Substring], _ i: inout Int, containers: Bool) -> Block {
        var text = [trimmingLeading(lines[i])]
        i += 1
        while i < lines.count, !isBlank(lines[i]) {
            let line = lines[i]
            if let level = setextLevel(line) {
                i += 1
                return .other(heading(level, text.joined(separator: "\n")))
            }
            if interruptsParagraph(line, containers: containers)
                || (i + 1 < lines.count && tableAlignments(header: line, separator: lines[i + 1]) != nil)
            {
                break
            }
            text.append(trimmingLeading(line))
            i += 1
        }
        return .paragraph(inline(text.joined(separator: "\n")))
    }

    private static func heading(_ level: Int, _ text: some StringProtocol) -> String {
        // The page has its own h1 and h2, so the card's top level becomes h3.
        let tag = "h\(min(level + 2, 6))"
        return "<\(tag)>\(inline(String(text)))</\(tag)>"
    }

    private static func fencedCode(_ fence: Fence, _ lines: [Substring], _ i: inout Int) -> String {
        var code = ""
        i += 1
        // An unclosed fence runs to the end of its container, as in CommonMark.
        while i < lines.count, !fence.isClosed(by: lines[i]) {
            code += Escape.html(droppingSpaces(lines[i], fence.indent)) + "\n"
            i += 1
        }
        i += 1
        let language = fence.info.prefix(while: { $0 != " " && $0 != "\t" })
        let isPlain = !language.isEmpty && language.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_+-".contains($0)) }
        return "<pre><code\(isPlain ? " class=\"language-\(language)\"" : "")>\(code)</code></pre>"
    }

    private static func indentedCode(_ lines: [Substring], _ i: inout Int) -> String {
        var code: [Substring] = []
        while i < lines.count, isBlank(lines[i]) || leadingSpaces(lines[i]) >= 4 {
            code.append(droppingSpaces(lines[i], 4))
            i += 1
        }
        while let last = code.last, isBlank(last) { code.removeLast() }
        return "<pre><code>\(code.map { Escape.html($0) + "\n" }.joined())</code></pre>"
    }

    private static func blockQuote(_ lines: [Substring], _ i: inout Int, depth: Int) -> String {
        var inner: [Substring] = []
        while i < lines.count {
            let line = lines[i]
            if let body = unindented(line), body.first == ">" {
                let content = body.dropFirst()
                inner.append(content.first == " " ? content.dropFirst() : content)
            } else if let last = inner.last, continuesLazily(line, after: last) {
                inner.append(line)
            } else {
                break
            }
            i += 1
        }
        let body = render(blocks(inner, depth: depth + 1).blocks, tight: false)
        return body.isEmpty ? "<blockquote>\n</blockquote>" : "<blockquote>\n\(body)\n</blockquote>"
    }

    private static func list(_ first: ListMarker, _ lines: [Substring], _ i: inout Int, depth: Int) -> String {
        var items: [[Substring]] = []
        var loose = false
        var marker: ListMarker? = first
        while let current = marker {
            var content = current.content.map { [$0] } ?? []
            marker = nil
            i += 1
            while i < lines.count {
                let line = lines[i]
                if isBlank(line) {
                    content.append("")
                } else if leadingSpaces(line, upTo: current.contentIndent) == current.contentIndent {
                    content.append(droppingSpaces(line, current.contentIndent))
                } else if let next = listMarker(line), next.continues(first), !isThematicBreak(line) {
                    marker = next
                    break
                } else if let last = content.last, continuesLazily(line, after: last) {
                    content.append(line)
                } else {
                    break
                }
                i += 1
            }
            let trailingBlanks = content.reversed().prefix(while: isBlank).count
            content.removeLast(trailingBlanks)
            if trailingBlanks > 0 && marker != nil { loose = true }
            items.append(content)
        }
        let parsed = items.map { blocks($0, depth: depth + 1) }
        loose = loose || parsed.contains { $0.blankBetween }
        let body = parsed.map { "<li>\(render($0.blocks, tight: !loose))</li>" }.joined(separator: "\n")
        if !first.ordered { return "<ul>\n\(body)\n</ul>" }
        return "<ol\(first.start == 1 ? "" : " start=\"\(first.start)\"")>\n\(body)\n</ol>"
    }

    private static func table(_ alignments: [Alignment], _ lines: [Substring], _ i: inout Int) -> String {
        // A short row gets only the cells it has (browsers lay it out fine): padding it to the header's width would let
        // a wide header and many one-character rows blow the output up quadratically.
        func row(_ line: Substring, _ tag: String) -> String {
            let cells = zip(cells(of: line), alignments).map { cell, alignment in
                let text = cell.utf8.contains(0x5C) ? cell.replacingOccurrences(of: "\\|", with: "|") : String(cell)
                return "<\(tag)\(alignment.rawValue)>\(inline(text))</\(tag)>"
            }
            return "<tr>\(cells.joined())</tr>"
        }
        var html = "<table>\n<thead>\n\(row(lines[i], "th"))\n</thead>"
        i += 2
        var body: [String] = []
        while i < lines.count, !isBlank(lines[i]), !interruptsParagraph(lines[i], containers: true) {
            body.append(row(lines[i], "td"))
            i += 1
        }
        if !body.isEmpty { html += "\n<tbody>\n\(body.joined(separator: "\n"))\n</tbody>" }
        return html + "\n</table>"
    }

    // MARK: Line classification

    // Indentation is counted and dropped in UTF-8 bytes rather than Characters: every line is examined once per level of
    // nesting, and grapheme-by-grapheme walks over long runs of spaces made that the bulk of the work.

    private static func isBlank(_ line: Substring) -> Bool { line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 } }

    /// Leading spaces, counted only as far as anyone asks: a deeply indented line costs no more than a short one.
    private static func leadingSpaces(_ line: Substring, upTo limit: Int = 4) -> Int {
        line.utf8.prefix(limit).prefix(while: { $0 == 0x20 }).count
    }

    private static func droppingSpaces(_ line: Substring, _ count: Int) -> Substring {
        line[line.utf8.index(line.startIndex, offsetBy: leadingSpaces(line, upTo: count))...]
    }

    /// The line without its indentation, or nil if it is indented four or more (code, or a continuation).
    private static func unindented(_ line: Substring) -> Substring? {
        let indent = leadingSpaces(line)
        return indent < 4 ? droppingSpaces(line, indent) : nil
    }

    private static func trimmingLeading(_ text: Substring) -> Substring {
        text[(text.utf8.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }) ?? text.endIndex)...]
    }

    private static func trimmed(_ text: Substring) -> Substring {
        let start = trimmingLeading(text)
        guard let last = start.lastIndex(where: { $0 != " " && $0 != "\t" }) else { return start.prefix(0) }
        return start[...last]
    }

    private static func interruptsParagraph(_ line: Substring, containers: Bool) -> Bool {
        guard let body = unindented(line) else { return false }
        if openingFence(line) != nil || atxHeading(line) != nil || isThematicBreak(line) { return true }
        guard containers else { return false }
        if body.first == ">" { return true }
        // Only a list that clearly starts one may cut a paragraph short, so "1986. A good year." stays text.
        guard let marker = listMarker(line) else { return false }
        return marker.content != nil && (!marker.ordered || marker.start == 1)
    }

    /// A paragraph in a quote or list item may go on in lines without the container's marker, if they start nothing new.
    private static func continuesLazily(_ line: Substring, after previous: Substring) -> Bool {
        !isBlank(line) && !isBlank(previous) && leadingSpaces(previous) < 4 && openingFence(previous) == nil
            && atxHeading(previous) == nil && !isThematicBreak(previous) && !interruptsParagraph(line, containers: true)
    }

    private static func openingFence(_ line: Substring) -> Fence? {
        guard let body = unindented(line), let char = body.first, char == "`" || char == "~" else { return nil }
        let length = body.prefix(while: { $0 == char }).count
        let info = trimmed(body.dropFirst(length))
        // A backtick after three backticks means inline code, not a fence.
        guard length >= 3, char == "~" || !info.utf8.contains(0x60) else { return nil }
        return Fence(char: char, length: length, indent: leadingSpaces(line), info: info)
    }

    private static func atxHeading(_ line: Substring) -> (level: Int, text: Substring)? {
        guard let body = unindented(line) else { return nil }
        let level = body.prefix(while: { $0 == "#" }).count
        let rest = body.dropFirst(level)
        guard (1...6).contains(level), rest.isEmpty || rest.first == " " || rest.first == "\t" else { return nil }
        let text = trimmed(rest)
        // A closing run of `#` after a space is decoration.
        let closing = text.reversed().prefix(while: { $0 == "#" }).count
        let beforeClosing = text.dropLast(closing)
        if closing > 0, beforeClosing.isEmpty || beforeClosing.last == " " || beforeClosing.last == "\t" {
            return (level, trimmed(beforeClosing))
        }
        return (level, text)
    }

    private static func setextLevel(_ line: Substring) -> Int? {
        guard let body = unindented(line).map(trimmed), let mark = body.first, mark == "=" || mark == "-", body.allSatisfy({ $0 == mark })
        else { return nil }
        return mark == "=" ? 1 : 2
    }

    private static func isThematicBreak(_ line: Substring) -> Bool {
        guard let body = unindented(line), let mark = body.first, mark == "-" || mark == "*" || mark == "_" else { return false }
        var count = 0
        for char in body where char != " " && char != "\t" {
            guard char == mark else { return false }
            count += 1
        }
        return count >= 3
    }

    private static func listMarker(_ line: Substring) -> ListMarker? {
        guard let body = unindented(line) else { return nil }
        let indent = leadingSpaces(line)
        let digits = body.prefix(while: { $0.isASCII && $0.isNumber })
        let ordered = !digits.isEmpty
        guard let symbol = body.dropFirst(digits.count).first,
            ordered ? digits.count <= 9 && (symbol == "." || symbol == ")") : symbol == "-" || symbol == "*" || symbol == "+"
        else { return nil }
        let width = digits.count + 1
        let rest = body.dropFirst(width)
        let spaces = rest.prefix(while: { $0 == " " || $0 == "\t" }).count
        let start = Int(digits) ?? 1
        if spaces == rest.count {
            return ListMarker(ordered: ordered, symbol: symbol, start: start, contentIndent: indent + width + 1, content: nil)
        }
        guard spaces > 0 else { return nil }
        // Five or more spaces after the marker start an indented code block one space in.
        let gap = spaces >= 5 ? 1 : spaces
        return ListMarker(ordered: ordered, symbol: symbol, start: start, contentIndent: indent + width + gap, content: rest.dropFirst(gap))
    }

    private static func tableAlignments(header: Substring, separator: Substring) -> [Alignment]? {
        guard separator.utf8.contains(0x7C), header.utf8.contains(0x7C), unindented(header) != nil, unindented(separator) != nil else { return nil }
        let columns = cells(of: separator)
        let alignments = columns.compactMap { cell -> Alignment? in
            let left = cell.first == ":"
            let right = cell.last == ":"
            let dashes = cell.dropFirst(left ? 1 : 0).dropLast(right ? 1 : 0)
            guard !dashes.isEmpty, dashes.allSatisfy({ $0 == "-" }) else { return nil }
            return left && right ? .center : right ? .right : left ? .left : .plain
        }
        guard alignments.count == columns.count, cells(of: header).count == columns.count else { return nil }
        return alignments
    }

    /// Splits a table row on unescaped pipes; the optional pipes at either end do not make cells.
    private static func cells(of line: Substring) -> [Substring] {
        var row = trimmed(line)
        if row.first == "|" { row = row.dropFirst() }
        if row.last == "|", !row.dropLast().hasSuffix("\\") { row = row.dropLast() }
        var cells: [Substring] = []
        var start = row.startIndex
        var escaped = false
        for index in row.indices {
            if escaped {
                escaped = false
            } else if row[index] == "\\" {
                escaped = true
            } else if row[index] == "|" {
                cells.append(trimmed(row[start..<index]))
                start = row.index(after: index)
            }
        }
        cells.append(trimmed(row[start...]))
        return cells
    }
}

// MARK: - Inlines

extension Markdown {
    private static func inline(_ text: String) -> String {
        var parser = Inline(Array(text.unicodeScalars))
        return parser.render()
    }

    /// The link target, or nil unless it is http, https or mailto, or a path or fragment on this site.
    private static func safeLink(_ url: String) -> (href: String, external: Bool)? {
        // Browsers drop tabs and newlines inside URLs ("java\tscript:"), so any control character disqualifies one.
        guard !url.isEmpty, !url.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else { return nil }
        let href = url.utf8.contains(0x20) ? url.replacingOccurrences(of: " ", with: "%20") : url
        // "//host" and "/\host" name another host, so only a single leading slash counts as this site.
        if url.hasPrefix("#") || (url.hasPrefix("/") && !url.hasPrefix("//") && !url.hasPrefix("/\\")) { return (href, false) }
        guard let colon = url.firstIndex(of: ":") else { return nil }
        let scheme = url[..<colon]
        guard scheme.allSatisfy(\.isASCII), ["http", "https", "mailto"].contains(scheme.lowercased()) else { return nil }
        return (href, true)
    }

    private static func anchor(_ link: (href: String, external: Bool), title: String? = nil) -> String {
        let title = title.map { " title=\"\(Escape.html($0))\"" } ?? ""
        return "<a href=\"\(Escape.html(link.href))\"\(title)\(link.external ? " rel=\"nofollow noopener\"" : "")>"
    }

    private static func isASCIIPunctuation(_ c: Unicode.Scalar) -> Bool {
        (0x21...0x2F).contains(c.value) || (0x3A...0x40).contains(c.value) || (0x5B...0x60).contains(c.value) || (0x7B...0x7E).contains(c.value)
    }

    private static func isWhitespace(_ c: Unicode.Scalar) -> Bool { c.properties.isWhitespace }

    private static func isPunctuation(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation, .finalPunctuation,
            .otherPunctuation, .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            true
        default: false
        }
    }

    /// One paragraph's (or heading's, or cell's) inline content, parsed in a single pass with CommonMark's delimiter stack.
    ///
    /// Output is a flat list of nodes, never a tree, so deep nesting costs no recursion; emphasis and links become tags on
    /// delimiter and bracket nodes.
    private struct Inline {
        private enum Node {
            case html(String)
            case delimiter(Int)  // index into `delimiters`
            case anchorOpen(String)
            case anchorClose
        }

        /// A run of `*` or `_`, in a doubly linked list (indices, -1 for none) that emphasis matching removes from.
        private struct Delimiter {
            let char: Unicode.Scalar
            let length: Int  // as written: the rule of 3 looks at this, not at what is left
            var count: Int  // characters not yet turned into tags
            let canOpen: Bool
            let canClose: Bool
            var previous: Int
            var next = -1
            var opens: [String] = []
            var closes: [String] = []
        }

        private struct Bracket {
            let node: Int
            let isImage: Bool
            let bottom: Int  // the last delimiter before it: emphasis inside the link text stops there
        }

        private let s: [Unicode.Scalar]  // the text being parsed
        private let codeClosers: [Int: Int]
        private var nodes: [Node] = []
        private var text = ""  // escaped text not yet in `nodes`
        private var delimiters: [Delimiter] = []
        private var lastDelimiter = -1
        private var brackets: [Bracket] = []
        /// `[` openers below this stack index come before a finished link, and links cannot contain links.
        private var linkBarrier = 0

        init(_ scalars: [Unicode.Scalar]) {
            s = scalars
            codeClosers = Self.codeClosers(scalars)
        }

        mutating func render() -> String {
            var i = 0
            while i < s.count {
                switch s[i] {
                case "\\": i = backslash(i)
                case "`": i = codeSpan(i)
                case "*", "_": i = delimiterRun(i)
                case "[": i = openBracket(i, image: false)
                case "!" where i + 1 < s.count && s[i + 1] == "[": i = openBracket(i, image: true)
                case "]": i = closeBracket(i)
                case "<": i = autolink(i)
                case "\n": i = lineBreak(i, hard: false)
                default:
                    Escape.append(s[i], into: &text)
                    i += 1
                }
            }
            // Trailing whitespace ends the text; it is not content, nor (with no line after it) a hard break.
            while text.last == " " || text.last == "\t" { text.removeLast() }
            processEmphasis(above: -1)
            flush()
            return output()
        }

        /// For each backtick run, the start of the next run of the same length, found in one pass so that many unclosed
        /// runs cannot each scan to the end.
        private static func codeClosers(_ s: [Unicode.Scalar]) -> [Int: Int] {
            var runs: [(start: Int, length: Int)] = []
            var i = 0
            while i < s.count {
                guard s[i] == "`" else {
                    i += 1
                    continue
                }
                let start = i
                while i < s.count, s[i] == "`" { i += 1 }
                runs.append((start, i - start))
            }
            var closers: [Int: Int] = [:]
            var nextOfLength: [Int: Int] = [:]
            for run in runs.reversed() {
                closers[run.start] = nextOfLength[run.length]
                nextOfLength[run.length] = run.start
            }
            return closers
        }

        private mutating func flush() {
            guard !text.isEmpty else { return }
            nodes.append(.html(text))
            text = ""
        }

        private mutating func backslash(_ i: Int) -> Int {
            if i + 1 < s.count, isASCIIPunctuation(s[i + 1]) {
                Escape.append(s[i + 1], into: &text)
                return i + 2
            }
            if i + 1 < s.count, s[i + 1] == "\n" { return lineBreak(i + 1, hard: true) }
            text += "\\"
            return i + 1
        }

        private mutating func lineBreak(_ i: Int, hard: Bool) -> Int {
            // Two trailing spaces ask for a hard break; otherwise trailing spaces are dropped.
            var spaces = 0
            while text.last == " " {
                text.removeLast()
                spaces += 1
            }
            text += hard || spaces >= 2 ? "<br>\n" : "\n"
            return i + 1
        }

        private mutating func codeSpan(_ i: Int) -> Int {
            var end = i
            while end < s.count, s[end] == "`" { end += 1 }
            // Without a closing run of the same length, the backticks are text. (A run split by a backslash escape is not
            // a run start, so it is text too.)
            guard let closer = codeClosers[i] else {
                text += String(repeating: "`", count: end - i)
                return end
            }
            var code = s[end..<closer].map { $0 == "\n" ? " " : $0 }
            if code.count >= 2, code.first == " ", code.last == " ", code.contains(where: { $0 != " " }) { code = Array(code.dropFirst().dropLast()) }
            text += "<code>"
            for scalar in code { Escape.append(scalar, into: &text) }
            text += "</code>"
            return closer + (end - i)
        }

        private mutating func delimiterRun(_ i: Int) -> Int {
            let char = s[i]
            var end = i
            while end < s.count, s[end] == char { end += 1 }
            let before: Unicode.Scalar = i > 0 ? s[i - 1] : " "
            let after: Unicode.Scalar = end < s.count ? s[end] : " "
            let leftFlanking = !isWhitespace(after) && (!isPunctuation(after) || isWhitespace(before) || isPunctuation(before))
            let rightFlanking = !isWhitespace(before) && (!isPunctuation(before) || isWhitespace(after) || isPunctuation(after))
            // `_` inside a word must stay text: snake_case names are everywhere in model cards.
            let canOpen = char == "*" ? leftFlanking : leftFlanking && (!rightFlanking || isPunctuation(before))
            let canClose = char == "*" ? rightFlanking : rightFlanking && (!leftFlanking || isPunctuation(after))
            guard canOpen || canClose else {
                text += String(repeating: Character(char), count: end - i)
                return end
            }
            flush()
            let index = delimiters.count
            delimiters.append(Delimiter(char: char, length: end - i, count: end - i, canOpen: canOpen, canClose: canClose, previous: lastDelimiter))
            if lastDelimiter >= 0 { delimiters[lastDelimiter].next = index }
            lastDelimiter = index
            nodes.append(.delimiter(index))
            return end
        }

        private mutating func openBracket(_ i: Int, image: Bool) -> Int {
            flush()
            brackets.append(Bracket(node: nodes.count, isImage: image, bottom: lastDelimiter))
            nodes.append(.html(image ? "![" : "["))
            return i + (image ? 2 : 1)
        }

        private mutating func closeBracket(_ i: Int) -> Int {
            guard let opener = brackets.popLast() else {
                text += "]"
                return i + 1
            }
            let isActive = opener.isImage || brackets.count >= linkBarrier
            linkBarrier = min(linkBarrier, brackets.count)
            guard isActive, let target = linkTarget(after: i) else {
                text += "]"
                return i + 1
            }
            processEmphasis(above: opener.bottom)
            flush()
            if let link = safeLink(target.destination) {
                nodes[opener.node] = .anchorOpen(anchor(link, title: target.title))
                nodes.append(.anchorClose)
            } else {
                // A target we do not allow leaves the link text as plain text.
                nodes[opener.node] = .html("")
            }
            if !opener.isImage { linkBarrier = brackets.count }
            return target.end
        }

        /// Parses `(destination "title")` right after a `]`; nil if there is none, and the brackets are then text.
        private func linkTarget(after close: Int) -> (destination: String, title: String?, end: Int)? {
            let limit = min(s.count, close + maxLinkLength)
            var i = close + 1
            guard i < limit, s[i] == "(" else { return nil }
            i += 1
            func skipSpace() { while i < limit, s[i] == " " || s[i] == "\t" || s[i] == "\n" { i += 1 } }
            /// Reads up to `end`, taking backslash escapes; false if the limit comes first.
            func read(until end: (Unicode.Scalar) -> Bool, into value: inout String) -> Bool {
                while i < limit, !end(s[i]) {
                    if s[i] == "\\", i + 1 < limit, isASCIIPunctuation(s[i + 1]) { i += 1 }
                    value.unicodeScalars.append(s[i])
                    i += 1
                }
                return i < limit
            }
            skipSpace()
            var destination = ""
            if i < limit, s[i] == "<" {
                i += 1
                guard read(until: { $0 == ">" || $0 == "<" || $0 == "\n" }, into: &destination), s[i] == ">" else { return nil }
                i += 1
            } else {
                var depth = 0
                // Bounded nesting keeps a run of `](` from sending every earlier attempt across the rest of the text.
                let atEnd = { (c: Unicode.Scalar) -> Bool in
                    if c.value <= 0x20 || c.value == 0x7F { return true }
                    if c == "(" { depth += 1 }
                    if depth > 32 { return true }
                    if c == ")" {
                        if depth == 0 { return true }
                        depth -= 1
                    }
                    return false
                }
                guard read(until: atEnd, into: &destination), depth == 0 else { return nil }
            }
            let beforeTitle = i
            skipSpace()
            var title: String?
            if i > beforeTitle, i < limit, s[i] == "\"" || s[i] == "'" || s[i] == "(" {
                let opening = s[i]
                let closing: Unicode.Scalar = opening == "(" ? ")" : opening
                var value = ""
                i += 1
                // A `(` title may not contain `(`; stopping there also means no two title scans overlap.
                guard read(until: { $0 == closing || opening == "(" && $0 == "(" }, into: &value), s[i] == closing else { return nil }
                i += 1
                title = value
                skipSpace()
            }
            guard i < limit, s[i] == ")" else { return nil }
            return (destination, title, i + 1)
        }

        /// `<scheme:…>` or `<user@host>` with an allowed scheme; anything else, raw HTML included, stays text.
        private mutating func autolink(_ i: Int) -> Int {
            var end = i + 1
            while end < s.count, s[end] != ">", s[end] != "<", s[end].value > 0x20 { end += 1 }
            let body = String(String.UnicodeScalarView(s[(i + 1)..<end]))
            guard end < s.count, s[end] == ">", let link = autolinkTarget(body) else {
                text += "&lt;"
                return i + 1
            }
            flush()
            nodes.append(.anchorOpen(anchor(link)))
            text = Escape.html(body)
            flush()
            nodes.append(.anchorClose)
            return end + 1
        }

        private func autolinkTarget(_ body: String) -> (href: String, external: Bool)? {
            if isEmail(body) { return ("mailto:" + body, true) }
            let scheme = body.prefix(while: { $0 != ":" })
            guard scheme.count < body.count, (2...32).contains(scheme.count), scheme.first?.isLetter == true,
                scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }),
                let link = safeLink(body), link.external
            else { return nil }
            return link
        }

        private func isEmail(_ text: String) -> Bool {
            let parts = text.split(separator: "@", omittingEmptySubsequences: false)
            guard parts.count == 2, let local = parts.first, let domain = parts.last, !local.isEmpty, !domain.isEmpty else { return false }
            return local.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || ".!#$%&'*+/=?^_`{|}~-".contains($0)) }
                && domain.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { label in
                    !label.isEmpty && label.first != "-" && label.last != "-"
                        && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
                }
        }

        /// CommonMark's "process emphasis" over the delimiters after `bottom`, which are then all taken off the list.
        private mutating func processEmphasis(above bottom: Int) {
            // For each kind of closer (char, length mod 3, can it open): no opener at or below this index can match it.
            // Remembering that keeps long runs of unmatched delimiters from being searched again and again.
            var openersBottom = [Int](repeating: bottom, count: 12)
            var closer = lastDelimiter
            while closer > bottom, delimiters[closer].previous > bottom { closer = delimiters[closer].previous }
            while closer > bottom {
                let c = delimiters[closer]
                guard c.canClose else {
                    closer = c.next
                    continue
                }
                let kind = (c.char == "*" ? 0 : 6) + c.length % 3 * 2 + (c.canOpen ? 1 : 0)
                let floor = max(bottom, openersBottom[kind])
                var opener = c.previous
                while opener > floor {
                    let o = delimiters[opener]
                    // The "rule of 3" keeps `*foo**bar*` from pairing the wrong runs.
                    let oddMatch = (o.canClose || c.canOpen) && (o.length + c.length) % 3 == 0 && !(o.length % 3 == 0 && c.length % 3 == 0)
                    if o.char == c.char && o.canOpen && !oddMatch { break }
                    opener = o.previous
                }
                guard opener > floor else {
                    openersBottom[kind] = c.previous
                    if !c.canOpen { unlink(closer) }
                    closer = c.next
                    continue
                }
                let used = c.count >= 2 && delimiters[opener].count >= 2 ? 2 : 1
                let tag = used == 2 ? "strong" : "em"
                delimiters[opener].count -= used
                delimiters[opener].opens.append("<\(tag)>")
                delimiters[closer].count -= used
                delimiters[closer].closes.append("</\(tag)>")
                // Delimiters between the pair can no longer pair with anything across it.
                delimiters[opener].next = closer
                delimiters[closer].previous = opener
                if delimiters[opener].count == 0 { unlink(opener) }
                if delimiters[closer].count == 0 {
                    let next = delimiters[closer].next
                    unlink(closer)
                    closer = next
                }
            }
            if bottom >= 0 { delimiters[bottom].next = -1 }
            lastDelimiter = bottom
        }

        private mutating func unlink(_ index: Int) {
            let (previous, next) = (delimiters[index].previous, delimiters[index].next)
            if previous >= 0 { delimiters[previous].next = next }
            if next >= 0 { delimiters[next].previous = previous } else { lastDelimiter = previous }
        }

        private func output() -> String {
            var html = ""
            var anchorDepth = 0
            for node in nodes {
                switch node {
                case .html(let fragment):
                    html += fragment
                case .delimiter(let index):
                    let run = delimiters[index]
                    html += run.closes.joined()
                    html += String(repeating: Character(run.char), count: run.count)
                    html += run.opens.reversed().joined()
                case .anchorOpen(let tag):
                    // An image inside a link (a badge) would put <a> inside <a>; the inner one gives way to its text.
                    anchorDepth += 1
                    if anchorDepth == 1 { html += tag }
                case .anchorClose:
                    if anchorDepth == 1 { html += "</a>" }
                    anchorDepth -= 1
                }
            }
            return html
        }
    }
}
