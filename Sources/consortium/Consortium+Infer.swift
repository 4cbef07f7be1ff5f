import ArgumentParser
import Foundation
import Inference

extension Consortium {
    /// `consortium infer …`: run a checkpoint directory on CPU.
    struct Infer: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a Hugging Face checkpoint directory (safetensors + tokenizer.json) or a GGUF file on CPU.",
            subcommands: [Embed.self, Score.self, Tokenize.self, Kernels.self, Bench.self, BenchScore.self]
        )

        struct Options: ParsableArguments {
            @Option(help: "Checkpoint directory (config.json, model.safetensors, tokenizer.json) or GGUF file.")
            var checkpoint: String

            @Flag(help: "Print one JSON object per line.")
            var json = false

            @Option(help: "BLAS threads (default: all cores).")
            var threads: Int = ProcessInfo.processInfo.activeProcessorCount

            func validate() throws {
                guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
            }
        }

        struct Embed: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print mean-pooled, L2-normalised sentence embeddings.")
            @OptionGroup var options: Options
            @Argument(help: "Texts to embed.") var texts: [String]

            func run() async throws {
                try reportingErrors {
                    Checkpoint.setThreadCount(options.threads)
                    let checkpoint = try Checkpoint(path: options.checkpoint)
                    let result = try checkpoint.embed(texts)
                    printError(CommandOutput.truncationWarnings(result, maxLength: checkpoint.maxLength))
                    CommandOutput.embeddings(result, texts: texts, json: options.json).forEach { print($0) }
                }
            }
        }

        struct Score: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Score a text file with a causal LM: tokens, mean NLL, perplexity, bits per byte.")
            @OptionGroup var options: Options
            @Option(help: "UTF-8 text file to score.") var file: String
            @Option(help: "Score in consecutive windows of this many tokens (default: the model's context).") var window: Int?

            func run() async throws {
                try reportingErrors {
                    Checkpoint.setThreadCount(options.threads)
                    guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                        throw ValidationError("\(file): cannot read the file as UTF-8 text")
                    }
                    let checkpoint = try Checkpoint(path: options.checkpoint)
                    let score = try checkpoint.score(text, window: window)
                    if window == nil { printError(CommandOutput.windowWarning(score, context: checkpoint.model.maxPositions)) }
                    CommandOutput.score(score, json: options.json).forEach { print($0) }
                }
            }
        }

        struct Tokenize: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Print the token ids and tokens of a text.")
            @OptionGroup var options: Options
            @Argument(help: "Text to tokenize.") var text: String

            func run() async throws {
                try reportingErrors {
                    let tokenizer = try Checkpoint.tokenizer(path: options.checkpoint)
                    CommandOutput.tokens(tokenizer.encode(text), json: options.json).forEach { print($0) }
                }
            }
        }

        struct Kernels: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Print the BLAS kernel set in use (and OpenBLAS's own choice when it was overridden) and the thread count.")
            @Flag(help: "Print one JSON object.") var json = false

            func run() async throws {
                let core = BLASKernels.coreName
                let detected = BLASKernels.detectedCoreName
                let threads = ProcessInfo.processInfo.activeProcessorCount
                if json {
                    let line: [String: Any] = ["core": core, "detected": BLASKernels.chosenByOpenBLAS, "threads": threads]
                    print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
                } else {
                    let note = detected.map { " (OpenBLAS chose \($0) for this CPU; restarted with OPENBLAS_CORETYPE=\(core))" } ?? ""
                    print("BLAS kernels: \(core)\(note)")
                    print("threads: \(threads) by default (--threads on every infer command)")
                }
            }
        }
    }
}

extension Consortium.Infer {
    /// Used by `Ops/bench-inference`; prints one JSON object per measurement.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Time embeddings, scoring and sgemm (JSON lines).", shouldDisplay: false)
        @OptionGroup var options: Options
        @Option(help: "Sentences, one per line.") var corpus: String
        @Option(help: "A causal LM checkpoint (directory or GGUF file) to time scoring on.") var gpt2: String?
        @Option(help: "Repetitions of each measurement.") var repetitions = 5
        @Flag(help: "Skip the sgemm peak measurement (for profiling the model alone).") var skipSgemm = false
        @Option(help: "Sentence for the batch-1 latency measurement.") var sentence = "The working group published a new checkpoint today."

        func run() async throws {
            try reportingErrors {
                let threads = Checkpoint.setThreadCount(options.threads)
                func emit(_ line: [String: Any]) throws {
                    print(String(decoding: try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys]), as: UTF8.self))
                }
                func emit(_ r: Benchmark.Measurement) throws {
                    var line: [String: Any] = [
                        "name": r.name, "median_s": r.medianSeconds, "rate": r.rate, "flops": r.flopsPerRepetition ?? 0, "threads": threads,
                    ]
                    line["page_faults"] = r.pageFaultsPerRepetition
                    try emit(line)
                }
                guard let text = try? String(contentsOfFile: corpus, encoding: .utf8) else { throw ValidationError("\(corpus): unreadable") }
                let lines = text.split(separator: "\n").map(String.init)
                try emit(["name": "blas kernels", "core": BLASKernels.coreName, "detected": BLASKernels.chosenByOpenBLAS])
                if !skipSgemm { try emit(Benchmark.sgemm(size: 2048, repetitions: repetitions)) }
                // Memory, phase by phase: the resident set before any model (runtime, BLAS buffers, corpus), with the
                // weights loaded, and the peak of each phase on top of that (the peak is started over before each). The
                // heap keeps freed buffers for reuse; they are handed back before each baseline.
                ActivationMemory.releaseFreedBuffers()
                try emit(["name": "memory before loading", "rss_mb": Benchmark.residentMegabytes() ?? Benchmark.peakResidentMegabytes()])
                try {  // MiniLM is let go before GPT-2 loads
                    let checkpoint = try Checkpoint(path: options.checkpoint)
                    let loaded = Benchmark.residentMegabytes() ?? Benchmark.peakResidentMegabytes()
                    Benchmark.resetPeakResident()
                    try emit(Benchmark.embedding(checkpoint, texts: [sentence], repetitions: 20 * repetitions, name: "embed batch-1"))
                    let batch1 = Benchmark.peakResidentMegabytes()
                    Benchmark.resetPeakResident()
                    try emit(Benchmark.embedding(checkpoint, texts: lines, repetitions: repetitions, name: "embed corpus"))
                    try emit([
                        "name": "memory embed", "loaded_rss_mb": loaded, "batch1_peak_mb": batch1,
                        "corpus_peak_mb": Benchmark.peakResidentMegabytes(),
                        "checkpoint_mb": Benchmark.checkpointMegabytes(options.checkpoint),
                    ])
                }()
                if let gpt2,
                    let model = try (gpt2.hasSuffix(".gguf") ? LanguageModel(gguf: GGUFFile(path: gpt2)) : LanguageModel(directory: gpt2)).causal
                {
                    ActivationMemory.releaseFreedBuffers()
                    let loaded = Benchmark.residentMegabytes() ?? Benchmark.peakResidentMegabytes()
                    Benchmark.resetPeakResident()
                    try emit(Benchmark.scoring(model, length: 512, count: 4, repetitions: repetitions))
                    try emit([
                        "name": "memory scoring", "loaded_rss_mb": loaded, "peak_mb": Benchmark.peakResidentMegabytes(),
                        "checkpoint_mb": Benchmark.checkpointMegabytes(gpt2),
                    ])
                }
            }
        }
    }
}

extension Consortium.Infer {
    /// Used by `Ops/bench-smollm2`: load time, scoring throughput and peak memory of a causal LM (JSON lines).
    struct BenchScore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-score", abstract: "Time perplexity scoring of a text in fixed windows (JSON).", shouldDisplay: false)
        @OptionGroup var options: Options
        @Option(help: "UTF-8 text file to score.") var file: String
        @Option(help: "Window length in tokens.") var window = 512
        @Option(help: "Repetitions.") var repetitions = 3

        func run() async throws {
            try reportingErrors {
                let threads = Checkpoint.setThreadCount(options.threads)
                guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw ValidationError("\(file): unreadable") }
                let start = DispatchTime.now().uptimeNanoseconds
                let checkpoint = try Checkpoint(path: options.checkpoint)
                let loadSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let (measurement, score) = try Benchmark.scoring(checkpoint, text: text, window: window, repetitions: repetitions)
                let line: [String: Any] = [
                    "name": measurement.name, "median_s": measurement.medianSeconds, "rate": measurement.rate, "threads": threads,
                    "load_s": loadSeconds, "perplexity": score.perplexity, "tokens": score.tokenCount,
                    "peak_rss_mb": Benchmark.peakResidentMegabytes(),
                ]
                let data = try JSONSerialization.data(withJSONObject: line, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            }
        }
    }
}

/// Runs `body`; any error becomes one plain line on standard error and exit code 1.
private func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        printError(["consortium: \(error)"])
        throw ExitCode.failure
    }
}

private func printError(_ lines: [String]) {
    for line in lines { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
