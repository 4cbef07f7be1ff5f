import Foundation

/// The statistics tasks report, as lm-evaluation-harness and SciPy define them.
enum Statistics {
    /// Arithmetic mean (0 for no values).
    static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Standard error of the mean: sample standard deviation (n − 1) over √n, as lm-evaluation-harness's
    /// `mean_stderr`; nil for fewer than two values.
    static func standardError(_ values: [Double]) -> Double? {
        guard values.count > 1 else { return nil }
        let m = mean(values)
        let variance = values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)
        return (variance / Double(values.count)).squareRoot()
    }

    /// Ranks starting at 1, ties sharing the mean of their ranks (SciPy's `rankdata(method="average")`).
    static func ranks(_ values: [Double]) -> [Double] {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var result = [Double](repeating: 0, count: values.count)
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 1) / 2  // mean of the 1-based ranks start+1 … end
            for k in start..<end { result[order[k]] = rank }
            start = end
        }
        return result
    }

    /// Pearson's correlation; nil when either side is constant or there are fewer than two pairs.
    static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
        guard x.count == y.count, x.count > 1 else { return nil }
        let (mx, my) = (mean(x), mean(y))
        var (sxy, sxx, syy) = (0.0, 0.0, 0.0)
        for i in x.indices {
            sxy += (x[i] - mx) * (y[i] - my)
            sxx += (x[i] - mx) * (x[i] - mx)
            syy += (y[i] - my) * (y[i] - my)
        }
        guard sxx > 0, syy > 0 else { return nil }
        return sxy / (sxx * syy).squareRoot()
    }

    /// Spearman's rank correlation: Pearson's on average ranks (so ties are handled as SciPy does).
    static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
        pearson(ranks(x), ranks(y))
    }

    /// Jensen–Shannon divergence in bits between two probability distributions over the same support (0 … 1).
    static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        var total = 0.0
        for i in p.indices {
            let m = (p[i] + q[i]) / 2
            if p[i] > 0 { total += p[i] * log2(p[i] / m) }
            if q[i] > 0 { total += q[i] * log2(q[i] / m) }
        }
        return max(0, total / 2)
    }

    /// Words as lm-evaluation-harness counts them for word perplexity: `re.split(r"\s+", text)`, which counts an empty
    /// piece before leading or after trailing whitespace.
    static func wordCount(_ text: String) -> Int {
        var count = 1
        var inSpace = false
        for scalar in text.unicodeScalars {
            let space = scalar.properties.isWhitespace
            if space && !inSpace { count += 1 }
            inSpace = space
        }
        return count
    }
}

extension TaskOutcome.Metric {
    /// The mean of per-item values, with its standard error, over all of them.
    static func mean(_ name: String, of values: [Double]) -> TaskOutcome.Metric {
        TaskOutcome.Metric(name: name, value: Statistics.mean(values), standardError: Statistics.standardError(values), samples: values.count)
    }
}
