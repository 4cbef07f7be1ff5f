import Domain
import Foundation
import Store

/// A run as one JSON object: the API's field names, results, progress and reproducibility record.
enum RunJSON {
    static func object(_ l: RunStore.Listing, results: [RunStore.ResultListing]) -> [String: Any] {
        let iso = ISO8601DateFormatter()
        func parsed(_ text: String) -> Any { (try? JSONSerialization.jsonObject(with: Data(text.utf8))) ?? [:] }
        var object: [String: Any] = [
            "id": l.run.id.description, "working_group": l.groupSlug, "checkpoint": l.run.checkpointID.description,
            "checkpoint_slug": l.checkpointSlug, "checkpoint_version": l.checkpointVersion, "suite": l.suiteSlug, "status": l.run.status.rawValue,
            "attempts": l.run.attempts, "max_attempts": l.run.maxAttempts, "queued_at": iso.string(from: l.run.queuedAt),
            "progress": parsed(l.progress), "reproducibility": parsed(l.reproducibility),
            "results": results.map { r -> [String: Any] in
                var item: [String: Any] = ["task": r.taskSlug, "metric": r.result.metric, "value": r.result.value]
                if let se = r.result.standardError { item["stderr"] = se }
                if let n = r.result.samples { item["samples"] = n }
                return item
            },
        ]
        if let started = l.run.startedAt { object["started_at"] = iso.string(from: started) }
        if let finished = l.run.finishedAt { object["finished_at"] = iso.string(from: finished) }
        if let error = l.run.error { object["error"] = error }
        if let digest = l.checkpointSHA256 { object["checkpoint_sha256"] = digest }
        if let wall = l.wallSeconds { object["wall_seconds"] = wall }
        if let cpu = l.cpuSeconds { object["cpu_seconds"] = cpu }
        if let charged = l.chargedAmount { object["charged_cpu_hours"] = NSDecimalNumber(decimal: charged).doubleValue }
        return object
    }

    static func render(_ l: RunStore.Listing, results: [RunStore.ResultListing]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object(l, results: results), options: [.sortedKeys]), as: UTF8.self)
    }
}

/// A run for people.
enum RunText {
    static func render(_ l: RunStore.Listing, results: [RunStore.ResultListing]) -> String {
        var lines = [
            "run         \(l.run.id)",
            "status      \(l.run.status.rawValue) (attempt \(l.run.attempts) of \(l.run.maxAttempts))",
            "group       \(l.groupSlug)",
            "checkpoint  \(l.checkpointSlug)@\(l.checkpointVersion) \(l.checkpointSHA256.map { "sha256:" + $0.prefix(16) + "…" } ?? "")",
            "suite       \(l.suiteSlug)",
        ]
        if let progress = Consortium.Eval.progressLine(l), l.run.status == .running { lines.append("progress    \(progress)") }
        if let wall = l.wallSeconds, let cpu = l.cpuSeconds {
            lines.append(String(format: "time        %.2f s wall, %.2f s CPU", wall, cpu))
        }
        if let charged = l.chargedAmount { lines.append("charged     \(charged) CPU-hours") }
        if let error = l.run.error { lines.append("error       \(error)") }
        if !results.isEmpty {
            lines.append("")
            let rows = results.map { r in
                [
                    r.taskSlug, r.result.metric, String(format: "%.6g", r.result.value),
                    r.result.standardError.map { String(format: "%.3g", $0) } ?? "",
                    r.result.samples.map(String.init) ?? "",
                ]
            }
            lines.append(
                TextTable(headers: ["TASK", "METRIC", "VALUE", "STDERR", "N"], rightAligned: [2, 3, 4]).render(rows).trimmingCharacters(in: .newlines)
            )
        }
        return lines.joined(separator: "\n")
    }
}
