import Foundation

/// Timings for `consortium infer bench` (driven by `Ops/bench-inference`): medians of repeated runs
/// of the same work the PyTorch side of the benchmark does.
public enum Benchmark {
    /// One benchmark's result.
    public struct Measurement: Sendable, Codable {
        /// What was measured.
        public let name: String
        /// Median seconds per repetition.
        public let medianSeconds: Double
        /// All repetitions, in seconds.
        public let seconds: [Double]
        /// Work per repetition in the unit of `rate` (sentences, tokens, FLOPs).
        public let workPerRepetition: Double
        /// `workPerRepetition / medianSeconds`.
        public var rate: Double { workPerRepetition / medianSeconds }
        /// Useful floating-point operations per repetition, when known.
        public let flopsPerRepetition: Double?
        /// Minor page faults per repetition after the first (which grows the heap): buffers handed back to the kernel
        /// and faulted in again show here. Nil where they were not counted (one repetition, or not an embedding).
        public var pageFaultsPerRepetition: Double?
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return .nan }
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    static func time(_ repetitions: Int, _ body: () throws -> Void) rethrows -> [Double] {
        try (0..<repetitions).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
    }

    /// Minor page faults of the whole process so far.
    static func minorPageFaults() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_minflt
    }

    /// Single-precision GEMM throughput on `size`³ matrices: the machine's practical peak.
    public static func sgemm(size n: Int, repetitions: Int) -> Measurement {
        let a = Matrix(rows: n, cols: n, storage: (0..<(n * n)).map { Float($0 % 7) * 0.1 })
        let b = a
        var c = Matrix(rows: n, cols: n)
        let seconds = BLAS.withLibraryThreads {
            time(repetitions) {
                a.storage.withUnsafeBufferPointer { pa in
                    b.storage.withUnsafeBufferPointer { pb in
                        c.storage.withUnsafeMutableBufferPointer { pc in
                            guard let a = pa.baseAddress, let b = pb.baseAddress, let c = pc.baseAddress else { return }
                            BLAS.sgemm(m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, c: c, ldc: n)
                        }
                    }
                }
            }
        }
        let flops = 2 * pow(Double(n), 3)
        return Measurement(
            name: "sgemm \(n)^3", medianSeconds: median(seconds), seconds: seconds, workPerRepetition: flops, flopsPerRepetition: flops)
    }

    /// End-to-end sentence embeddings (tokenize, forward, pool) of `texts`.
    public static func embedding(_ checkpoint: Checkpoint, texts: [String], repetitions: Int, name: String) throws -> Measurement {
        var faultsAfterFirst: Int?
        let seconds = try time(repetitions) {
            _ = try checkpoint.embed(texts)
            if faultsAfterFirst == nil { faultsAfterFirst = minorPageFaults() }
        }
        var measurement = Measurement(
            name: name, medianSeconds: median(seconds), seconds: seconds, workPerRepetition: Double(texts.count),
            flopsPerRepetition: usefulFLOPs(checkpoint, texts: texts))
        if repetitions > 1, let faultsAfterFirst {
            measurement.pageFaultsPerRepetition = Double(minorPageFaults() - faultsAfterFirst) / Double(repetitions - 1)
        }
        return measurement
    }

    /// Dense and attention FLOPs of a BERT forward over the texts' real (unpadded) tokens.
    static func usefulFLOPs(_ checkpoint: Checkpoint, texts: [String]) -> Double? {
        guard case let .bert(bert) = checkpoint.model else { return nil }
        let c = bert.configuration
        let (C, I, L) = (Double(c.hiddenSize), Double(c.intermediateSize), Double(c.layerCount))
        return texts.reduce(0.0) { total, text in
            let T = Double(checkpoint.tokenizer.encode(text, maxLength: checkpoint.maxLength).ids.count)
            let dense: Double = T * (8 * C * C + 4 * C * I)  // qkv 6C², output 2C², MLP 4CI
            let attention: Double = 4 * T * T * C  // scores and weighted sum
            return total + L * (dense + attention)
        }
    }

    /// Perplexity of `text` in consecutive `window`-token windows (tokenization included), as
    /// `consortium infer score --window` computes it.
    public static func scoring(_ checkpoint: Checkpoint, text: String, window: Int, repetitions: Int) throws -> (Measurement, Checkpoint.Score) {
        var score: Checkpoint.Score?
        let seconds = try time(repetitions) { score = try checkpoint.score(text, window: window) }
        let result = try score ?? checkpoint.score(text, window: window)
        let measurement = Measurement(
            name: "perplexity \(window)-token windows", medianSeconds: median(seconds), seconds: seconds,
            workPerRepetition: Double(result.tokenCount), flopsPerRepetition: nil)
        return (measurement, result)
    }

    /// The process's peak resident set so far, in MiB: since the last `resetPeakResident()` where Linux allows it
    /// (`VmHWM`), else since the start (`ru_maxrss`, in KiB on Linux).
    public static func peakResidentMegabytes() -> Double {
        if let kib = Self.statusField("VmHWM:") { return kib / 1024 }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }

    /// The process's resident set now, in MiB (nil where `/proc` does not say).
    public static func residentMegabytes() -> Double? { Self.statusField("VmRSS:").map { $0 / 1024 } }

    /// Starts the peak over from the present resident set (Linux's `clear_refs` 5), so that one phase's peak can be
    /// measured after another's; false where that is not possible.
    @discardableResult
    public static func resetPeakResident() -> Bool {
        (try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)) != nil
    }

    private static func statusField(_ name: String) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            return Double(line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
        }
        return nil
    }

    /// The size of a checkpoint's weights in MiB: a GGUF file, or a directory's `*.safetensors` files.
    public static func checkpointMegabytes(_ path: String) -> Double {
        let manager = FileManager.default
        func size(_ file: String) -> Double { ((try? manager.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.doubleValue ?? 0 }
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return size(path) / 1_048_576 }
        let files = (try? manager.contentsOfDirectory(atPath: path)) ?? []
        return files.filter { $0.hasSuffix(".safetensors") }.reduce(0) { $0 + size(path + "/" + $1) } / 1_048_576
    }

    /// Per-token log-probabilities of `count` sequences of `length` pseudo-random ids, one at a time.
    public static func scoring(_ model: any CausalLanguageModel, length: Int, count: Int, repetitions: Int) throws -> Measurement {
        var state: UInt64 = 0x2545_F491_4F6C_DD1D
        let sequences = (0..<count).map { _ in
            (0..<length).map { _ -> Int32 in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Int32((state >> 33) % UInt64(model.vocabularySize))
            }
        }
        let seconds = try time(repetitions) { for s in sequences { _ = try model.tokenLogProbabilities(s) } }
        return Measurement(
            name: "gpt2 scoring \(count)x\(length) tokens", medianSeconds: median(seconds), seconds: seconds,
            workPerRepetition: Double(count * length), flopsPerRepetition: nil)
    }
}
