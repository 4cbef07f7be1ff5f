import Testing

@testable import WebApp

/// The model-card renderer: each construct it supports, and the inputs it must neither pass through nor choke on.
@Suite struct MarkdownTests {
    // MARK: Blocks

    /// The page already has h1 and h2, so `#` becomes h3 and nothing goes past h6.
    @Test func headingsShiftBelowThePageHeadings() {
        #expect(
            Markdown.html("# One\n## Two\n### Three\n#### Four\n##### Five\n###### Six\n####### Seven") == """
                <h3>One</h3>
                <h4>Two</h4>
                <h5>Three</h5>
                <h6>Four</h6>
                <h6>Five</h6>
                <h6>Six</h6>
                <p>####### Seven</p>
                """)
        #expect(Markdown.html("# Closed #\n#hashtag") == "<h3>Closed</h3>\n<p>#hashtag</p>")
        #expect(Markdown.html("Title\n=====\n\nSubtitle\n--------") == "<h3>Title</h3>\n<h4>Subtitle</h4>")
    }

    @Test func paragraphsJoinLinesAndSplitOnBlankLines() {
        #expect(Markdown.html("one\ntwo\n\n\nthree") == "<p>one\ntwo</p>\n<p>three</p>")
        #expect(Markdown.html("hard  \nbreak\\\nagain") == "<p>hard<br>\nbreak<br>\nagain</p>")
        #expect(Markdown.html("") == "")
    }

    @Test func fencedCodeKeepsItsTextAndNamesSafeLanguages() {
        #expect(
            Markdown.html("```python\nprint(\"<hi>\") # *not em*\n```") == """
                <pre><code class="language-python">print(&quot;&lt;hi&gt;&quot;) # *not em*
                </code></pre>
                """)
        #expect(Markdown.html("~~~c++ extra words\nx\n~~~") == "<pre><code class=\"language-c++\">x\n</code></pre>")
        #expect(Markdown.html("```{python}\nx\n```") == "<pre><code>x\n</code></pre>")
        #expect(Markdown.html("```\"><script>alert(1)</script>\nx\n```") == "<pre><code>x\n</code></pre>")
        #expect(Markdown.html("````\n```\n````") == "<pre><code>```\n</code></pre>")
        #expect(Markdown.html("```\nnever closed") == "<pre><code>never closed\n</code></pre>")
    }

    @Test func indentedCode() {
        #expect(Markdown.html("    let x = 1\n\n    <b>\n\nafter") == "<pre><code>let x = 1\n\n&lt;b&gt;\n</code></pre>\n<p>after</p>")
    }

    @Test func blockQuotesNestAndTakeLazyLines() {
        #expect(
            Markdown.html("> quoted\nlazy\n> > nested\n\n> second") == """
                <blockquote>
                <p>quoted
                lazy</p>
                <blockquote>
                <p>nested</p>
                </blockquote>
                </blockquote>
                <blockquote>
                <p>second</p>
                </blockquote>
                """)
    }

    @Test func unorderedListsWithNesting() {
        #expect(
            Markdown.html("- one\n- two\n  - nested *a*\n  - nested b\n- three") == """
                <ul>
                <li>one</li>
                <li>two
                <ul>
                <li>nested <em>a</em></li>
                <li>nested b</li>
                </ul></li>
                <li>three</li>
                </ul>
                """)
        // A different bullet starts a new list.
        #expect(Markdown.html("* a\n+ b") == "<ul>\n<li>a</li>\n</ul>\n<ul>\n<li>b</li>\n</ul>")
        // Blank lines between items make the list loose: its items get paragraphs.
        #expect(Markdown.html("- a\n\n- b") == "<ul>\n<li><p>a</p></li>\n<li><p>b</p></li>\n</ul>")
    }

    @Test func orderedLists() {
        #expect(Markdown.html("1. first\n2. second\n   1. inner") == "<ol>\n<li>first</li>\n<li>second\n<ol>\n<li>inner</li>\n</ol></li>\n</ol>")
        #expect(Markdown.html("3) three\n4) four") == "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>")
        // Only a list starting at 1 may interrupt a paragraph.
        #expect(Markdown.html("Released in\n2024. A good year.") == "<p>Released in\n2024. A good year.</p>")
    }

    @Test func horizontalRules() {
        #expect(Markdown.html("***\n---\n_ _ _") == "<hr>\n<hr>\n<hr>")
    }

    @Test func tablesWithAlignmentClasses() {
        #expect(
            Markdown.html("| Model | Score | Notes |\n|:------|------:|:-----:|\n| tiny | 0.91 | **best** |\n| a \\| b | 2 |\n\nafter") == """
                <table>
                <thead>
                <tr><th class="align-left">Model</th><th class="align-right">Score</th><th class="align-center">Notes</th></tr>
                </thead>
                <tbody>
                <tr><td class="align-left">tiny</td><td class="align-right">0.91</td><td class="align-center"><strong>best</strong></td></tr>
                <tr><td class="align-left">a | b</td><td class="align-right">2</td></tr>
                </tbody>
                </table>
                <p>after</p>
                """)
        #expect(
            Markdown.html("a | b\n--|--\n1 | 2") == """
                <table>
                <thead>
                <tr><th>a</th><th>b</th></tr>
                </thead>
                <tbody>
                <tr><td>1</td><td>2</td></tr>
                </tbody>
                </table>
                """)
        // The separator must match the header's cell count, or it is no table.
        #expect(Markdown.html("| a | b |\n|---|") == "<p>| a | b |\n|---|</p>")
    }

    @Test func frontMatterIsSkipped() {
        #expect(Markdown.html("---\nlicense: mit\ntags:\n- nlp\n---\n\n# Card") == "<h3>Card</h3>")
        #expect(Markdown.html("\u{FEFF}---\nlicense: mit\n...\nBody") == "<p>Body</p>")
        // Without a closing line it is not front matter.
        #expect(Markdown.html("---\ntext") == "<hr>\n<p>text</p>")
    }

    // MARK: Inlines

    @Test func codeSpans() {
        #expect(Markdown.html("`a` `` b`c `` `<b>` `*x*`") == "<p><code>a</code> <code>b`c</code> <code>&lt;b&gt;</code> <code>*x*</code></p>")
        #expect(Markdown.html("`unclosed") == "<p>`unclosed</p>")
    }

    @Test func emphasis() {
        #expect(
            Markdown.html("**a** __b__ *c* _d_ ***e*** *f **g** h*")
                == "<p><strong>a</strong> <strong>b</strong> <em>c</em> <em>d</em> <em><strong>e</strong></em> <em>f <strong>g</strong> h</em></p>")
        #expect(Markdown.html("snake_case_name and 2*3*4") == "<p>snake_case_name and 2<em>3</em>4</p>")
        #expect(Markdown.html("**unclosed and \\*escaped\\*") == "<p>**unclosed and *escaped*</p>")
    }

    @Test func links() {
        #expect(Markdown.html("[site](https://example.com)") == "<p><a href=\"https://example.com\" rel=\"nofollow noopener\">site</a></p>")
        #expect(
            Markdown.html("[*docs*](http://example.com/a_(b) \"The docs\")")
                == "<p><a href=\"http://example.com/a_(b)\" title=\"The docs\" rel=\"nofollow noopener\"><em>docs</em></a></p>")
        #expect(Markdown.html("[mail](mailto:team@example.com)") == "<p><a href=\"mailto:team@example.com\" rel=\"nofollow noopener\">mail</a></p>")
        // Links within the site are not external.
        #expect(
            Markdown.html("[files](/artifacts/1?tab=files&x=1) [top](#top)")
                == "<p><a href=\"/artifacts/1?tab=files&amp;x=1\">files</a> <a href=\"#top\">top</a></p>")
        #expect(
            Markdown.html("[spaced](<https://example.com/a b>)")
                == "<p><a href=\"https://example.com/a%20b\" rel=\"nofollow noopener\">spaced</a></p>")
        // Relative paths without a leading slash are not allowed: the label stays, as text.
        #expect(Markdown.html("[readme](README.md)") == "<p>readme</p>")
        #expect(Markdown.html("[not a link] (https://example.com)") == "<p>[not a link] (https://example.com)</p>")
    }

    @Test func autolinks() {
        #expect(
            Markdown.html("<https://example.com/a?b=1&c=2>")
                == "<p><a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener\">https://example.com/a?b=1&amp;c=2</a></p>")
        #expect(Markdown.html("<team@example.com>") == "<p><a href=\"mailto:team@example.com\" rel=\"nofollow noopener\">team@example.com</a></p>")
    }

    /// Cards may not make the page fetch anything, so an image is a link to it, labelled with its alt text.
    @Test func imagesBecomeLinks() {
        #expect(
            Markdown.html("![A chart](https://example.com/chart.png)")
                == "<p><a href=\"https://example.com/chart.png\" rel=\"nofollow noopener\">A chart</a></p>")
        // A badge (an image inside a link) must not nest one <a> in another.
        #expect(
            Markdown.html("[![build](https://img.shields.io/b.svg)](https://github.com/o/r)")
                == "<p><a href=\"https://github.com/o/r\" rel=\"nofollow noopener\">build</a></p>")
        #expect(!Markdown.html("![x](https://example.com/x.png)").contains("<img"))
    }

    // MARK: Safety

    @Test func rawHTMLIsShownAsText() {
        #expect(Markdown.html("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>")
        #expect(Markdown.html("<img src=x onerror=alert(1)>") == "<p>&lt;img src=x onerror=alert(1)&gt;</p>")
        #expect(
            Markdown.html("<div align=\"center\">\n\n**hi**\n\n</div>")
                == "<p>&lt;div align=&quot;center&quot;&gt;</p>\n<p><strong>hi</strong></p>\n<p>&lt;/div&gt;</p>")
        #expect(Markdown.html("# <b onmouseover='x'>") == "<h3>&lt;b onmouseover=&#39;x&#39;&gt;</h3>")
        #expect(
            Markdown.html("[<b>x</b>](https://example.com)")
                == "<p><a href=\"https://example.com\" rel=\"nofollow noopener\">&lt;b&gt;x&lt;/b&gt;</a></p>")
        // Entities are not decoded, so none can smuggle markup in.
        #expect(Markdown.html("&lt;script&gt; &copy;") == "<p>&amp;lt;script&amp;gt; &amp;copy;</p>")
    }

    @Test(arguments: [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x]( javascript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "[x](< javascript:alert(1)>)",
        "[x](<java\tscript:alert(1)>)",
        "[x](javascript\\:alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](data:text/html,<script>alert(1)</script>)",
        "[x](DATA:text/html;base64,PHNjcmlwdD4=)",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "[x](//evil.example/)",
        "[x](/\\evil.example/)",
        "![x](javascript:alert(1))",
    ])
    func unsafeLinkTargetsLeaveOnlyTheLabel(_ source: String) {
        #expect(Markdown.html(source) == "<p>x</p>")
    }

    /// The Hub's card template talks to authors in comments; readers see neither them nor a gap they leave.
    @Test func htmlCommentsOutsideCodeAreDropped() {
        #expect(
            Markdown.html("Intro <!-- a note --> text\n<!-- Provide a longer summary\nof what this model is. -->\nmore") == "<p>Intro  text\nmore</p>"
        )
        #expect(Markdown.html("```\n<!-- kept in code -->\n```") == "<pre><code>&lt;!-- kept in code --&gt;\n</code></pre>")
        #expect(Markdown.html("never <!-- closed") == "<p>never &lt;!-- closed</p>", "an unclosed comment hides nothing")
    }

    @Test func unsafeAutolinksStayText() {
        #expect(Markdown.html("<javascript:alert(1)>") == "<p>&lt;javascript:alert(1)&gt;</p>")
        #expect(Markdown.html("<data:text/html,x>") == "<p>&lt;data:text/html,x&gt;</p>")
    }

    @Test func quotesInLinkTargetsAndTitlesAreEscaped() {
        #expect(
            Markdown.html("[x](https://example.com/\"onmouseover=\"alert(1))")
                == "<p><a href=\"https://example.com/&quot;onmouseover=&quot;alert(1)\" rel=\"nofollow noopener\">x</a></p>")
        #expect(
            Markdown.html("[x](https://example.com \"a \\\"quoted\\\" 'title'\")")
                == "<p><a href=\"https://example.com\" title=\"a &quot;quoted&quot; &#39;title&#39;\" rel=\"nofollow noopener\">x</a></p>")
    }

    /// Hostile shapes must finish (no recursion blow-up, no quadratic rescans) and still produce nothing executable.
    @Test func pathologicalInputsFinish() {
        let deepQuote = Markdown.html(String(repeating: ">", count: 10_000) + " <script>alert(1)</script>")
        #expect(deepQuote.hasPrefix("<blockquote>"))
        #expect(!deepQuote.contains("<script"))
        #expect(deepQuote.ranges(of: "<blockquote>").count < 100)

        let deepSpacedQuote = Markdown.html(String(repeating: "> ", count: 10_000) + "x")
        #expect(deepSpacedQuote.ranges(of: "<blockquote>").count < 100)

        let deepList = Markdown.html(String(repeating: "- ", count: 10_000) + "x")
        #expect(deepList.ranges(of: "<ul>").count < 100)

        let stars = String(repeating: "*", count: 50_000)
        #expect(Markdown.html(stars) == "<hr>")  // a line of nothing but stars is a rule
        #expect(Markdown.html(stars + "x") == "<p>" + stars + "x</p>")

        for source in [
            String(repeating: "*a ", count: 20_000) + String(repeating: " a*", count: 20_000),
            String(repeating: "a**", count: 20_000) + "<script>",
            String(repeating: "*", count: 50_000) + "<script>",
            String(repeating: "[", count: 50_000) + "<script>",
            String(repeating: "[a](b ", count: 10_000) + "<script>",
            String(repeating: "![", count: 10_000) + "x" + String(repeating: "](javascript:alert(1))", count: 10_000),
            String(repeating: "`", count: 50_000) + "<script>",
            String(repeating: "<a:", count: 10_000) + "<script>",
            (1...300).map { String(repeating: "`", count: $0) }.joined(separator: "x"),
        ] {
            let html = Markdown.html(source)
            #expect(!html.contains("<script"))
            #expect(!html.contains("javascript:alert(1)\""))
        }
    }

    @Test func nulIsReplaced() {
        #expect(Markdown.html("a\u{0}b") == "<p>a\u{FFFD}b</p>")
    }
}
