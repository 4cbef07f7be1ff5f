#!/usr/bin/env python3
"""One table from the outputs Ops/bench-all saved: .data/bench-output/bench-NAME.txt (each script's whole output),
bench-NAME.meta (exit status, wall time, load, release binary digest) and ENV.txt (machine, versions, date).

    Ops/bench/summary.py [--dir .data/bench-output] [--only inference,smollm2,api,runner,pages]

Prints the table (markdown) and writes it to DIR/TABLE.md. Every figure is read from a line the script printed; a line
that is missing or does not have the expected shape is an error naming the script and the line it expected (no blank
cells). Scripts that could not be read are listed under the table and make the exit status 1.
"""
import argparse
import re
import sys
from pathlib import Path

NUM = r"([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)"
NAMES = ["inference", "smollm2", "api", "runner", "pages"]


class Unreadable(Exception):
    pass


def read_tsv(path):
    values = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition("\t")
            if key:
                values[key] = value.strip()
    return values


class Output:
    """One script's saved output, with lookups that fail loudly."""

    def __init__(self, directory, name):
        self.name = name
        self.script = f"Ops/bench-{name}"
        self.path = directory.resolve() / f"bench-{name}.txt"
        self.meta = read_tsv(directory / f"bench-{name}.meta")
        if not self.path.exists():
            raise Unreadable(f"{self.script}: no saved output at {self.path} (not run?)")
        self.lines = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        status = self.meta.get("status")
        if status is None:
            raise Unreadable(f"{self.script}: {self.path.with_suffix('.meta')} is missing (was the run interrupted?)")
        if status != "0":
            tail = "\n".join("    " + line for line in self.lines[-8:])
            raise Unreadable(f"{self.script} exited with status {status}; the last lines of {self.path}:\n{tail}")
        self.warnings = []

    def fail(self, expected, detail=""):
        raise Unreadable(f"{self.script}: expected a line like\n    {expected}\n  in {self.path}{detail}")

    def line(self, pattern, expected, optional=False):
        """The one line (stripped) that matches the regex `pattern` whole; `expected` shows its shape in the error."""
        rx = re.compile(pattern)
        hits = [m for m in (rx.fullmatch(line.strip()) for line in self.lines) if m]
        if not hits:
            if optional:
                return None
            self.fail(expected)
        if len(hits) > 1:
            self.fail(expected, f" exactly once; it is there {len(hits)} times")
        return hits[0]


def plural(n, word):
    return f"{n} {word}" + ("" if str(n) == "1" else "s")


def fmt_ratio(r):
    return f"{r:.1f}×" if r >= 10 else f"{r:.2f}×" if r >= 0.1 else f"{r:.3f}×"


def row(figure, unit, better, ours, reference="—", ref_value="—", ratio=None, how=""):
    return {
        "figure": figure, "unit": unit, "better": better, "ours": ours, "reference": reference, "ref": ref_value,
        "ratio": "—" if ratio is None else f"{fmt_ratio(ratio)} ({how})",
    }


def inference(out):
    n = out.line(r"sgemm 2048\^3 \(OpenBLAS, same process as ours\): " + NUM + r" GFLOP/s\s+\[rounds: (\d+)\]",
                 "sgemm 2048^3 (OpenBLAS, same process as ours): 134.7 GFLOP/s  [rounds: 3]")
    peak, rounds = float(n[1]), int(n[2])
    reps = out.line(r"load before: .* repetitions: (\d+)", "load before: 0.5 1.6 3.5  cores: 2  threads: 2  repetitions: 3", optional=True)
    out.header = plural(rounds, "round") + (f" × {plural(reps[1], 'repetition')}" if reps else "") + ", 2 threads per side"

    def three(label, example):
        m = out.line(re.escape(label) + r"\s+" + NUM + r"\s+" + NUM + r"\s+" + NUM + "x", f"{label}  {example}")
        return m[1], m[2], float(m[3])

    rows = []
    o, t, r = three("sentences/s, corpus, vs PyTorch sorted b32", "108.5  90.3  1.20x")
    rows.append(row("BERT embed (all-MiniLM-L6-v2), 2,048-sentence corpus", "sentences/s", "higher", o,
                    "PyTorch, batches of 32 sorted by length", t, r, "ours÷ref"))
    o, t, r = three("sentences/s, corpus, vs PyTorch corpus order", "108.5  25.5  4.26x")
    rows.append(row("BERT embed, same corpus", "sentences/s", "higher", o, "PyTorch, batches of 32 in corpus order", t, r, "ours÷ref"))
    o, t, r = three("batch-1 latency, ms (lower is better)", "8.94  20.59  2.30x")
    rows.append(row("BERT embed, one 12-token sentence (batch 1)", "ms", "lower", o, "PyTorch", t, r, "ref÷ours"))
    m = out.line(re.escape("batch-1 latency vs ONNX Runtime, ms") + r"\s+" + NUM + r"\s+" + NUM + r"\s+" + NUM + "x",
                 "batch-1 latency vs ONNX Runtime, ms  8.94  6.79  0.76x", optional=True)
    if m:
        rows.append(row("BERT embed, batch 1", "ms", "lower", m[1], "ONNX Runtime", m[2], float(m[3]), "ref÷ours"))
    else:
        out.warnings.append("no ONNX Runtime row: onnxruntime is not installed in the reference Python")
    o, t, r = three("GPT-2-small scoring, tokens/s (512-token seqs)", "399.5  301.1  1.33x")
    rows.append(row("GPT-2-small logits + log-softmax, 4 × 512 tokens (random weights)", "tokens/s", "higher", o,
                    "PyTorch", t, r, "ours÷ref"))
    m = out.line(r"useful \(unpadded\) GFLOP/s in our corpus embedding: " + NUM + " = " + NUM + "% of the sgemm peak",
                 "useful (unpadded) GFLOP/s in our corpus embedding: 81.4 = 60% of the sgemm peak")
    rows.append(row("sgemm 2048³, 2 threads (OpenBLAS, in our process)", "GFLOP/s", "higher", f"{peak:.1f}"))
    rows.append(row("useful GFLOP/s of our corpus embedding", "GFLOP/s", "higher", m[1], "sgemm peak above", f"{peak:.1f}",
                    float(m[2]) / 100, "ours÷ref"))
    # Resident memory above the process's own before any model loaded, against the checkpoint (older outputs lack it).
    for label in ["MiniLM weights loaded", "MiniLM peak, batch-1", "MiniLM peak, corpus (packed batches)", "GPT-2-small weights loaded",
                  "GPT-2-small peak, 4 x 512 tokens"]:
        m = out.line(re.escape(label) + r"\s+" + NUM + r" MiB = " + NUM + r"x the checkpoint \(" + NUM + r" MiB\)",
                     f"{label}  95 MiB = 1.09x the checkpoint (87 MiB)", optional=True)
        if m:
            rows.append(row(f"resident memory: {label}", "MiB", "lower", m[1], "checkpoint size (goal ≤ 1.3× + activations)", m[3],
                            float(m[3]) / float(m[1]), "ref÷ours"))
    return rows


def smollm2(out):
    m = out.line(r"SmolLM2-135M-Instruct Q4_1 \((\d+) MiB file, about 540 MiB as float32\), (\d+) tokens in 512-token windows, rounds: (\d+)",
                 "SmolLM2-135M-Instruct Q4_1 (88 MiB file, about 540 MiB as float32), 8131 tokens in 512-token windows, rounds: 3")
    out.header = f"{plural(m[3], 'round')} × 3 repetitions, {m[2]} tokens, 2 threads per side"

    def values(label, count, example):
        m = out.line(re.escape(label) + (r"\s+" + NUM) * count + ("x" if count == 3 else ""), f"{label}  {example}")
        return m.groups()

    ref = "transformers, same dequantised weights"
    rows = []
    o, t, r = values("tokens/s (tokenization included)", 3, "344.7  256.0  1.35x")
    rows.append(row("SmolLM2-135M (Q4_1 GGUF) perplexity, 512-token windows", "tokens/s", "higher", o, ref, t, float(r), "ours÷ref"))
    o, t, r = values("load and dequantise, s", 3, "1.98  38.02  19.19x")
    rows.append(row("SmolLM2-135M load and dequantise", "s", "lower", o, ref, t, float(r), "ref÷ours"))
    o, t = values("peak RSS, MiB (whole process)", 2, "624  1211")
    (base,) = values("of which before loading (interpreter)", 1, "236")
    rows.append(row("SmolLM2-135M peak RSS, whole process", "MiB", "lower", o, f"{ref} (interpreter alone: {base} MiB)", t,
                    float(t) / float(o), "ref÷ours"))
    o, t = values("perplexity", 2, "1501.6862  1501.6777")
    rows.append(row("SmolLM2-135M perplexity of the text", "", "same", o, ref, t, float(o) / float(t), "ours÷ref"))
    rows[-1]["ratio"] = f"{float(o) / float(t):.5f} (ours÷ref)"
    return rows


def api(out):
    m = out.line(r"medians of (\d+) rounds, (\d+)s each, (\d+) connections, .*",
                 "medians of 3 rounds, 20s each, 32 connections, 2 cores shared by server, database and load generator")
    out.header = f"{plural(m[1], 'round')} × {m[2]} s, {m[3]} connections"
    rows = []
    for label, figure in [("GET one working group", "API GET /api/v1/working-groups/{slug}"),
                          ("GET 50 institutions", "API GET /api/v1/institutions?limit=50"),
                          ("GET one working group, uncached", "API GET /api/v1/working-groups/{slug}, uncached"),
                          ("GET 50 institutions, uncached", "API GET /api/v1/institutions?limit=50, uncached")]:
        m = out.line(re.escape(label) + r"\s+" + NUM + r" req/s\s+p50\s+" + NUM + r" ms\s+p99\s+" + NUM + r" ms\s+=\s+" + NUM
                     + r"% of pgbench -S \(" + NUM + r" tps\)",
                     f"{label}    1234.5 req/s  p50  25.00 ms  p99  60.00 ms  =  10.0% of pgbench -S (12345.6 tps)")
        rps, p50, p99, _, tps = m.groups()
        rows.append(row(f"{figure}, throughput", "requests/s", "higher", rps, "pgbench -S (select-only), same database",
                        tps, float(rps) / float(tps), "ours÷ref"))
        rows.append(row(f"{figure}, latency p50", "ms", "lower", p50))
        rows.append(row(f"{figure}, latency p99", "ms", "lower", p99))
    return rows


def runner(out):
    m = out.line(r"medians of (\d+) rounds; cores: (\d+); .*", "medians of 3 rounds; cores: 2; load at end: 2.0 2.1 2.2")
    rounds = m[1]
    m = out.line(r"queue: " + NUM + r" claims/s with (\d+) workers on empty runs; pgbench -N " + NUM + " tps; ratio " + NUM,
                 "queue: 161.0 claims/s with 8 workers on empty runs; pgbench -N 3260.0 tps; ratio 0.049")
    claims, workers, tps, ratio = m.groups()
    runs = re.search(r"bench-runner (\d+) ", out.meta.get("command", "") + " ")
    out.header = plural(rounds, "round") + (f", {runs[1]} empty runs each" if runs else "")
    rows = [row(f"Queue: empty runs claimed and finished, {workers} workers", "runs/s", "higher", claims,
                f"pgbench -N (simple update), 8 clients, same cluster", tps, float(ratio), "ours÷ref")]
    m = out.line(r"evaluation \((.+), (\d+) pairs\): runner " + NUM + r" tokens/s; transformers loop " + NUM
                 + r" tokens/s \(ratio " + NUM + r"\); transformers batched \((\d+)\) " + NUM + r" tokens/s \(ratio " + NUM + r"\)",
                 "evaluation (all-MiniLM-L6-v2, embedding similarity, 800 pairs): runner 1005.1 tokens/s; transformers loop "
                 "473.2 tokens/s (ratio 2.12); transformers batched (32) 2775.2 tokens/s (ratio 0.36)")
    model, pairs, ours, loop, loop_ratio, batch, batched, batched_ratio = m.groups()
    figure = f"Evaluation runner, {model} over {pairs} pairs"
    rows.append(row(figure, "tokens/s", "higher", f"{float(ours):.1f}", "transformers, one sentence per forward pass",
                    f"{float(loop):.1f}", float(loop_ratio), "ours÷ref"))
    rows.append(row(figure, "tokens/s", "higher", f"{float(ours):.1f}", f"transformers, batches of {batch}",
                    f"{float(batched):.1f}", float(batched_ratio), "ours÷ref"))
    return rows


PAGES = ["home", "groups", "group", "group-as-chair", "members", "members-filtered", "member", "institutions",
         "institution", "artifacts", "artifact", "run"]


def pages(out):
    header = r"page\s+p50_ms\s+p99_ms\s+\(median over (\d+) rounds of (\S+) s, one connection; target < " + NUM + r" ms\)"
    m = out.line(header, "page  p50_ms  p99_ms   (median over 3 rounds of 5 s, one connection; target < 50 ms)")
    rounds, seconds, target = m[1], m[2], float(m[3])
    out.header = f"{plural(rounds, 'round')} × {seconds} s per page, one connection"
    start = next(i for i, line in enumerate(out.lines) if re.fullmatch(header, line.strip()))
    found = {}
    for line in out.lines[start + 1:]:
        words = line.split()
        if not words or not (words[0] in PAGES or (len(words) == 3 and re.fullmatch(r"[a-z][a-z0-9-]*", words[0]))):
            continue  # not a page row (a log line of the server shutting down, say)
        m = re.fullmatch(r"([a-z][a-z0-9-]*)\s+" + NUM + r"\s+" + NUM, line.strip())
        if not m:
            out.fail(f"{words[0]}  14.08  19.83   (page, median p50 ms, median p99 ms)", f"; found\n    {line.strip()}")
        found[m[1]] = (m[2], m[3])
    missing = [p for p in PAGES if p not in found]
    if missing:
        out.fail(f"{missing[0]}  14.08  19.83   (page, median p50 ms, median p99 ms) after the 'page p50_ms p99_ms' header",
                 f" (missing pages: {', '.join(missing)})")
    troubled = {m[1] for m in (re.search(r"bench-pages: .*Non-2xx.* on (\S+)", line) for line in out.lines) if m}
    if troubled:
        out.warnings.append(f"non-2xx responses on {', '.join(sorted(troubled))}: those latencies are not pages")
    rows = []
    for name, (p50, p99) in found.items():
        rows.append(row(f"Page render: {name} (p50 / p99)", "ms", "lower", f"{p50} / {p99}", "target (issue)",
                        f"< {target:g}", target / float(p99), "target÷p99"))
    return rows


SECTIONS = {
    "inference": ("Inference engine vs PyTorch 2.13 / transformers", inference),
    "smollm2": ("SmolLM2-135M vs transformers", smollm2),
    "api": ("JSON API vs pgbench", api),
    "runner": ("Evaluation runner: queue vs pgbench, throughput vs transformers", runner),
    "pages": ("Server-rendered pages (no same-run reference: the issue's 50 ms target)", pages),
}


def minutes(seconds):
    s = int(seconds)
    return f"{s // 60} min {s % 60:02d} s"


def header(env):
    def get(key, default="?"):
        return env.get(key) or default

    memory = f"{int(env['memory_kib']) / 2**20:.1f} GiB" if env.get("memory_kib", "").isdigit() else "?"
    hyper = f" ({get('hypervisor')} guest)" if env.get("hypervisor") else ""
    changed = env.get("uncommitted", "0")
    commit = get("commit") + (f" + {changed} uncommitted files under Sources/, Tests/, Package.swift (built as they were)"
                              if changed not in ("", "0") else "")
    onnx = env.get("onnxruntime", "")
    lines = [
        f"### Benchmarks, {get('date')}",
        "",
        f"- Machine: {get('cpu')}{hyper}, {get('cores')} cores, {memory} memory; {get('os')}, kernel {get('kernel')}",
        f"- Versions: {get('swift')}; {get('postgresql')}; PyTorch {get('torch')} ({get('torch_blas')}), "
        f"transformers {get('transformers')}" + (f", ONNX Runtime {onnx}" if onnx and "not" not in onnx else "")
        + f", gguf {get('gguf')}, Python {get('python_version')}; OpenBLAS {get('openblas')} (Debian package, used by ours); "
        f"wrk {get('wrk')}",
        f"- Commit: {commit}",
        f"- Command: `{get('command')}` with {get('arguments')}",
    ]
    if env.get("total_seconds"):
        lines.append(f"- Wall time: {minutes(env['total_seconds'])} for the benchmarks"
                     + (f", after a release build of {env['build_seconds']} s" if env.get("build_seconds") else ""))
    lines.append(f"- Load average (1, 5, 15 min): {get('load_start')} at the start, {get('load_end', '?')} at the end")
    lines.append("- Ratio: oriented so that > 1 means ours is ahead — ours÷ref where higher is better, ref÷ours where "
                 "lower is better. The API and queue references do less work per unit (one SQL transaction), so "
                 "their ratio is the share of the database's own rate that we reach.")
    return lines


def table(rows):
    cols = [("figure", "Figure"), ("unit", "Unit"), ("better", "Better"), ("ours", "Ours"), ("reference", "Reference"),
            ("ref", "Ref. value"), ("ratio", "Ratio")]
    width = {k: max([len(title)] + [len(r[k]) for r in rows if "section" not in r]) for k, title in cols}
    out = ["| " + " | ".join(title.ljust(width[k]) for k, title in cols) + " |",
           "|" + "|".join("-" * (width[k] + 2) if k in ("figure", "unit", "better", "reference") else "-" * (width[k] + 1) + ":"
                          for k, _ in cols) + "|"]
    for r in rows:
        if "section" in r:
            out.append(f"| **{r['section']}** |" + " |" * (len(cols) - 1))
            continue
        out.append("| " + " | ".join(r[k].rjust(width[k]) if k in ("ours", "ref", "ratio") else r[k].ljust(width[k])
                                     for k, _ in cols) + " |")
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--dir", default=str(Path(__file__).resolve().parents[2] / ".data" / "bench-output"))
    p.add_argument("--only", default=",".join(NAMES))
    a = p.parse_args()
    directory = Path(a.dir)
    names = [n for n in a.only.split(",") if n]
    unknown = [n for n in names if n not in SECTIONS]
    if unknown:
        sys.exit(f"summary: unknown benchmark(s) {', '.join(unknown)} (one of: {', '.join(NAMES)})")
    env = read_tsv(directory / "ENV.txt")

    rows, notes, errors = [], [], []
    for name in names:
        title, parse = SECTIONS[name]
        try:
            out = Output(directory, name)
            out.header = ""
            parsed = parse(out)
        except Unreadable as e:
            errors.append(str(e))
            continue
        meta = out.meta
        rows.append({"section": f"{title} — `{meta.get('command', out.script)}`: {out.header}"})
        rows.extend(parsed)
        note = (f"`{out.script}`: {minutes(meta.get('seconds', 0))}, finished {meta.get('finished', '?')}, "
                f"load {meta.get('load_before', '?')} → {meta.get('load_after', '?')}")
        if meta.get("binary_before") != meta.get("binary_after"):
            note += (f"; the release binary changed while it ran ({meta.get('binary_before')} → {meta.get('binary_after')}: "
                     "its own build step recompiled sources edited since)")
        notes.append(note + "".join(f"; **{w}**" for w in out.warnings))

    binaries = {}
    for name in names:
        meta = read_tsv(directory / f"bench-{name}.meta")
        if meta.get("binary_after"):
            binaries.setdefault(meta["binary_after"], []).append(name)
    lines = header(env) + [""] + (table(rows) if rows else ["(no benchmark could be read)"]) + [""]
    lines += ["Per script (wall time including its own setup; load average 1/5/15 min before → after):", ""]
    lines += [f"- {n}" for n in notes]
    if len(binaries) > 1:
        lines.append("- **Not all scripts measured the same release binary** (sources changed during the pass): "
                     + "; ".join(f"{d}: {', '.join(n)}" for d, n in binaries.items()))
    if errors:
        lines += ["", "**Not read** (see the saved outputs):", ""] + [f"- {e}" for e in errors]
    text = "\n".join(lines) + "\n"
    (directory / "TABLE.md").write_text(text, encoding="utf-8")
    print(text, end="")
    if errors:
        print("\nsummary: could not read every benchmark:\n" + "\n".join(errors), file=sys.stderr)
        return 1
    print(f"\n(written to {directory / 'TABLE.md'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
