import Mustache
import Testing

@testable import WebApp

/// Page models as the templates see them, and the charts' refusal to trip over odd numbers.
@Suite struct TemplateContextTests {
    struct Row: Sendable {
        let name: String
        let country: String?
    }

    struct Page: Sendable {
        let country: String
        let rows: [Row]
        let note: String?
    }

    @Test func aNilFieldStopsTheLookupInsteadOfTakingTheOuterValue() throws {
        let template = try MustacheTemplate(string: "{{#rows}}[{{name}}:{{country}}{{#country}}!{{/country}}]{{/rows}}{{^note}}no note{{/note}}")
        let page = Page(country: "FR", rows: [Row(name: "a", country: nil), Row(name: "b", country: "DE")], note: nil)
        #expect(template.render(TemplateContext.tree(page)) == "[a:][b:DE!]no note")
    }

    @Test func chartsDrawNothingOddForNaNAndInfinities() {
        let chart = TrendChart(
            title: "t",
            points: [
                .init(label: "a", value: 1, standardError: .infinity), .init(label: "b", value: .nan, standardError: nil),
                .init(label: "c", value: 2, standardError: .nan),
            ])
        let svg = chart.svg
        #expect(svg.contains("<circle") && !svg.contains("\"nan") && !svg.contains("\"inf") && !svg.contains("\"-inf") && !svg.contains("NaN"))
        #expect(TrendChart(title: "t", points: [.init(label: "x", value: .infinity, standardError: nil)]).svg == "")
        #expect(TrendChart(title: "t", points: [.init(label: "x", value: 1e308, standardError: 1e308)]).svg.contains("<circle"))
        #expect(TrendChart.ticks(low: 0.2, high: 0.95).values.first == 0.2)
        #expect(TrendChart.ticks(low: 0.2, high: 0.95).decimals == 1)
    }
}
