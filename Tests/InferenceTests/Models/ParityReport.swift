import Foundation

/// Where `Ops/parity-table` collects the measured differences from transformers: with `CONSORTIUM_PARITY_REPORT`
/// set to a file, each comparison appends one `model<TAB>output<TAB>value` line to it. Without it, nothing happens;
/// the tests' own bounds decide pass or fail either way.
enum ParityReport {
    static func record(_ model: String, _ output: String, _ value: Double) {
        guard let path = ProcessInfo.processInfo.environment["CONSORTIUM_PARITY_REPORT"], !path.isEmpty else { return }
        let line = Array("\(model)\t\(output)\t\(value)\n".utf8)
        // One write with O_APPEND per line, so lines from tests running in parallel do not interleave.
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
