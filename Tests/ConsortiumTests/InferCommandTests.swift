import DatabaseTestSupport
import Foundation
import Testing

/// `consortium infer` on a GGUF file, as an operator runs it: scoring, tokenizing, and bad files.
@Suite struct InferCommandTests {
    private var binary: String {
        if let path = ProcessInfo.processInfo.environment["CONSORTIUM_BIN"] { return path }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("consortium").path
    }

    /// The tiny LLaMA written as GGUF by `Ops/fixtures/make_causal_fixtures.py`.
    private var gguf: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("InferenceTests/Fixtures/tiny-llama-gguf/model.gguf").path
    }

    private func infer(_ arguments: [String]) async throws -> Shell.Outcome { try await Shell.run(binary, ["infer"] + arguments) }

    private func temporaryFile(_ name: String, _ data: Data) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("infer-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent(name).path
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    // MARK: Tests

    @Test func scoresAndTokenizesWithAGGUFFile() async throws {
        let text = try temporaryFile("text.txt", Data("the consortium shares a supercomputer allocation between working groups".utf8))
        let score = try await infer(["score", "--checkpoint", gguf, "--file", text, "--json", "--threads", "1"])
        #expect(score.status == 0, "\(score.stderr)")
        let line = try #require(score.stdout.split(separator: "\n").first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        let tokens = try #require(object["tokenCount"] as? Int)
        let perplexity = try #require(object["perplexity"] as? Double)
        #expect(tokens > 5)
        #expect(perplexity > 1 && perplexity.isFinite)

        let tokenized = try await infer(["tokenize", "--checkpoint", gguf, "--json", "hello consortium"])
        #expect(tokenized.status == 0, "\(tokenized.stderr)")
        #expect(tokenized.stdout.contains("\"ids\""))
    }

    @Test func runsOnVectorKernelsWhereTheCPUHasThem() async throws {
        // Ops/test hands the executable's choice to the test processes through OPENBLAS_CORETYPE; without it, the
        // executable has to find it by itself.
        let outcome = try await Shell.run(binary, ["infer", "kernels", "--json"], removing: ["OPENBLAS_CORETYPE"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(outcome.stdout.utf8)) as? [String: Any])
        let core = try #require(object["core"] as? String)
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flags = Set(cpuinfo.split(whereSeparator: \.isWhitespace))
        // OpenBLAS releases older than the CPU fall back to Prescott (SSE3, a tenth of the sgemm speed); with AVX2 and
        // FMA present the executable must have restarted itself on vector kernels. An operator's choice is left alone:
        if flags.contains("avx2"), flags.contains("fma") {
            #expect(core != "Prescott", "\(outcome.stdout)")
        }
        let forced = try await Shell.run(binary, ["infer", "kernels", "--json"], environment: ["OPENBLAS_CORETYPE": "Prescott"])
        #expect(forced.stdout.contains("\"core\":\"Prescott\""), "\(forced.stdout)")
    }

    @Test func aTruncatedGGUFIsOneLineAndAFailure() async throws {
        let whole = try Data(contentsOf: URL(fileURLWithPath: gguf))
        let cut = try temporaryFile("model.gguf", whole.prefix(whole.count / 2))
        let text = try temporaryFile("text.txt", Data("hello".utf8))
        for arguments in [["score", "--checkpoint", cut, "--file", text], ["tokenize", "--checkpoint", cut, "hello"]] {
            let outcome = try await infer(arguments)
            #expect(outcome.status == 1)
            #expect(outcome.stderr.split(separator: "\n").count == 1, "\(outcome.stderr)")
            #expect(outcome.stderr.contains(cut), "\(outcome.stderr)")
        }
        let missing = try await infer(["score", "--checkpoint", cut + ".absent", "--file", text])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no such checkpoint"), "\(missing.stderr)")
    }
}
