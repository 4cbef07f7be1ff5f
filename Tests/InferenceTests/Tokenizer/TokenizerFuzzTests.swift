import Foundation
import Inference
import Testing

/// Thousands of structurally mutated `tokenizer.json` files, from a fixed seed: loading either
/// fails with a ``TokenizerError`` or yields a tokenizer that encodes without crashing.
@Suite struct TokenizerFuzzTests {
    private static let iterations = 1000
    private static let probes = ["", "Hello, world!", "café 東京 👍🏽", "[CLS] x [SEP]", "   \n\t", String(repeating: "z", count: 150)]

    private static var replacements: [Any] {
        [
            NSNull(), -1, 0, 1, 1.5, 1e30, "", "[UNK]", "Sequence", "ByteLevel", "WordPiece", "BPE", true, false, [Any](), [String: Any](),
            ["a b"], [["a", "b"]], ["type": "Unknown"],
        ]
    }

    /// Replaces one value at a random path (never descending into the big vocab/merges tables
    /// except to pick one of their elements).
    private static func mutate(_ value: Any, _ rng: inout SplitMix64, depth: Int = 0) -> Any {
        if depth > 0 && rng.next(4) == 0 || depth > 4 { return replacements[rng.next(replacements.count)] }
        if var object = value as? [String: Any], !object.isEmpty {
            let keys = object.keys.sorted()
            let key = keys[rng.next(keys.count)]
            if rng.next(10) == 0 { object.removeValue(forKey: key); return object }
            object[key] = mutate(object[key] as Any, &rng, depth: depth + 1)
            return object
        }
        if var array = value as? [Any], !array.isEmpty {
            let index = rng.next(array.count)
            array[index] = mutate(array[index], &rng, depth: depth + 1)
            return array
        }
        return replacements[rng.next(replacements.count)]
    }

    // MARK: Tests

    @Test(arguments: ["tiny-bert", "tiny-gpt2"])
    func mutatedTokenizerJSONNeverCrashes(fixture: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: FixtureFiles.path("\(fixture)/tokenizer.json")))
        let original = try JSONSerialization.jsonObject(with: data)
        var rng = SplitMix64(seed: fixture == "tiny-bert" ? 0xBE27 : 0x6972)
        var loaded = 0
        var rejected = 0
        for _ in 0..<Self.iterations {
            var mutated = original
            for _ in 0..<(1 + rng.next(2)) { mutated = Self.mutate(mutated, &rng) }
            guard JSONSerialization.isValidJSONObject(mutated), let bytes = try? JSONSerialization.data(withJSONObject: mutated) else {
                continue
            }
            do {
                let tokenizer = try Tokenizer(data: bytes, file: "fuzz.json")
                loaded += 1
                for probe in Self.probes {
                    let encoding = tokenizer.encode(probe, maxLength: 16)
                    #expect(encoding.ids.count == encoding.attentionMask.count)
                    _ = tokenizer.decode(encoding.ids)
                }
            } catch {
                rejected += 1
                #expect(!error.description.isEmpty)
            }
        }
        #expect(loaded > 0 && rejected > 0)
    }
}
