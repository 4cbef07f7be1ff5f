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

    /// The subcommands that run models keep freed activation buffers for the next batch (`ActivationMemory`). glibc must
    /// be told before any thread takes an arena of its own; an `await` before it once let the cooperative pool's threads
    /// do so, and every packed batch's 48 MB intermediate was mapped, faulted in and unmapped again in every layer.
    @Test func embeddingReusesActivationBuffersInsteadOfFaultingThemIn() async throws {
        let package = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let environment = ProcessInfo.processInfo.environment["CONSORTIUM_MINILM_DIR"] ?? ""
        let miniLM = environment.isEmpty ? package.appendingPathComponent(".data/models/all-MiniLM-L6-v2").path : environment
        #expect(FileManager.default.fileExists(atPath: miniLM + "/model.safetensors"), "run Ops/scripts/fetch-models.sh")
        struct Reference: Decodable { let sentences: [String] }
        let reference = try JSONDecoder().decode(
            Reference.self, from: Data(contentsOf: package.appendingPathComponent("Tests/InferenceTests/Fixtures/minilm_reference.json")))
        // 64 lines of about 130 tokens: one packed batch of 8,192 tokens, whose MLP intermediate is 48 MiB, above the
        // largest threshold glibc would pick for itself.
        let line = reference.sentences.joined(separator: " ")
        let corpus = try temporaryFile("corpus.txt", Data(Array(repeating: line, count: 64).joined(separator: "\n").utf8))
        let outcome = try await infer([
            "bench", "--checkpoint", miniLM, "--corpus", corpus, "--repetitions", "3", "--skip-sgemm", "--json", "--threads", "2",
        ])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        let lines = outcome.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        let corpusLine = try #require(lines.first { $0["name"] as? String == "embed corpus" }, "\(outcome.stdout)")
        let faults = try #require(corpusLine["page_faults"] as? Double)
        // Measured on this workload: 6,133 a repetition with the arenas taken too early, 0 with the buffers kept.
        #expect(faults < 1_000, "\(faults) page faults a repetition")
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
