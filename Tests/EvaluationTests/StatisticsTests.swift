import Foundation
import Testing

@testable import Evaluation

/// The statistics on cases small enough to check by hand.
@Suite struct StatisticsTests {
    @Test func ranksShareTiesAsSciPyDoes() {
        #expect(Statistics.ranks([10, 20, 20, 30]) == [1, 2.5, 2.5, 4])
        #expect(Statistics.ranks([3, 1, 2]) == [3, 1, 2])
        #expect(Statistics.ranks([5, 5, 5]) == [2, 2, 2])
    }

    @Test func spearmanIsPearsonOnRanks() throws {
        #expect(Statistics.spearman([1, 2, 3, 4], [10, 100, 1000, 10_000]) == 1)
        #expect(Statistics.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == -1)
        // Ranks x: 1 2 3, y: 2 1 3 → Pearson of (1,2,3) and (2,1,3) = 0.5.
        let rho = try #require(Statistics.spearman([0.1, 0.5, 0.9], [2, 1, 3]))
        #expect(abs(rho - 0.5) < 1e-12)
        #expect(Statistics.spearman([1, 2, 3], [7, 7, 7]) == nil, "constant gold scores have no correlation")
        #expect(Statistics.pearson([1], [1]) == nil)
    }

    @Test func standardErrorUsesTheSampleDeviation() throws {
        // mean 0.5, Σ(x − m)² = 1, sample variance 1/3, standard error √(1/3 / 4).
        let se = try #require(Statistics.standardError([1, 0, 1, 0]))
        #expect(abs(se - (1.0 / 12).squareRoot()) < 1e-15)
        #expect(Statistics.standardError([1]) == nil)
        #expect(Statistics.standardError([2, 2, 2]) == 0)
    }

    @Test func jensenShannonIsInBitsAndSymmetric() {
        #expect(Statistics.jensenShannon([1, 0], [0, 1]) == 1)
        #expect(Statistics.jensenShannon([0.25, 0.75], [0.25, 0.75]) == 0)
        let (p, q) = ([0.5, 0.5, 0], [0.1, 0.2, 0.7])
        #expect(abs(Statistics.jensenShannon(p, q) - Statistics.jensenShannon(q, p)) < 1e-15)
        // By hand: m = (0.3, 0.35, 0.35); ½[0.5 log₂(0.5/0.3) + 0.5 log₂(0.5/0.35)] + ½[0.1 log₂(0.1/0.3) + 0.2 log₂(0.2/0.35) + 0.7 log₂(2)].
        let expected =
            0.5 * (0.5 * log2(0.5 / 0.3) + 0.5 * log2(0.5 / 0.35)) + 0.5 * (0.1 * log2(0.1 / 0.3) + 0.2 * log2(0.2 / 0.35) + 0.7 * log2(0.7 / 0.35))
        #expect(abs(Statistics.jensenShannon(p, q) - expected) < 1e-12)
    }

    @Test func wordsAreCountedAsLMEvaluationHarnessSplitsThem() {
        #expect(Statistics.wordCount("two words") == 2)
        #expect(Statistics.wordCount(" leading") == 2)
        #expect(Statistics.wordCount("a \n\t b") == 2)
        #expect(Statistics.wordCount("") == 1)
    }
}
