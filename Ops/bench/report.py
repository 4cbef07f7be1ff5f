#!/usr/bin/env python3
"""Combines the per-round JSON lines of both sides into the table Ops/bench-inference prints."""
import json
import statistics
import sys
from collections import defaultdict


def load(path):
    rows = defaultdict(list)
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        if line.startswith("{"):
            r = json.loads(line)
            rows[r["name"]].append(r)
    return rows


ours, theirs = load(sys.argv[1]), load(sys.argv[2])
med = lambda rows, key: statistics.median(r[key] for r in rows)
for kernels in ours.get("blas kernels", [])[:1]:
    note = "" if kernels["detected"] == kernels["core"] else f" (OpenBLAS chose {kernels['detected']} for this CPU; overridden)"
    print(f"\nBLAS kernels: {kernels['core']}{note}")
peak = med(ours["sgemm 2048^3"], "rate") / 1e9
print(f"\nsgemm 2048^3 (OpenBLAS, same process as ours): {peak:.1f} GFLOP/s  [rounds: {len(ours['sgemm 2048^3'])}]")
emb = ours["embed corpus"]
ours_rate = med(emb, "rate")
useful = med(emb, "flops") / med(emb, "median_s") / 1e9
print(f"{'measurement':48} {'ours':>14} {'PyTorch':>14} {'ratio':>7}")
for label, theirs_name in [
    ("sentences/s, corpus, vs PyTorch sorted b32", "embed corpus (sorted by length, batch 32)"),
    ("sentences/s, corpus, vs PyTorch corpus order", "embed corpus (corpus order, batch 32)"),
]:
    t = med(theirs[theirs_name], "rate")
    print(f"{label:48} {ours_rate:14.1f} {t:14.1f} {ours_rate / t:7.2f}x")
b1o, b1t = med(ours["embed batch-1"], "median_s") * 1e3, med(theirs["embed batch-1"], "median_s") * 1e3
print(f"{'batch-1 latency, ms (lower is better)':48} {b1o:14.2f} {b1t:14.2f} {b1t / b1o:7.2f}x")
if "embed batch-1 (onnxruntime)" in theirs:
    b1x = med(theirs["embed batch-1 (onnxruntime)"], "median_s") * 1e3
    print(f"{'batch-1 latency vs ONNX Runtime, ms':48} {b1o:14.2f} {b1x:14.2f} {b1x / b1o:7.2f}x")
if "gpt2 scoring 4x512 tokens" in ours and "gpt2 scoring 4x512 tokens" in theirs:
    go, gt = med(ours["gpt2 scoring 4x512 tokens"], "rate"), med(theirs["gpt2 scoring 4x512 tokens"], "rate")
    print(f"{'GPT-2-small scoring, tokens/s (512-token seqs)':48} {go:14.1f} {gt:14.1f} {go / gt:7.2f}x")
print(f"\nuseful (unpadded) GFLOP/s in our corpus embedding: {useful:.1f} = {useful / peak:.0%} of the sgemm peak")
if all("page_faults" in r for r in emb):
    print(f"page faults per corpus repetition after the first: {med(emb, 'page_faults'):.0f}")
# Memory, from ours: the resident set before any model loaded (the runtime, BLAS buffers, the corpus), then with the
# weights loaded and at the peak of each phase; the bound is 1.3x the checkpoint plus activations.
if "memory before loading" in ours:
    base = med(ours["memory before loading"], "rss_mb")
    print(f"\nresident memory before loading a model: {base:.0f} MiB; above it:")
    rows = []
    if "memory embed" in ours:
        e = ours["memory embed"]
        rows += [("MiniLM weights loaded", med(e, "loaded_rss_mb"), med(e, "checkpoint_mb")),
                 ("MiniLM peak, batch-1", med(e, "batch1_peak_mb"), med(e, "checkpoint_mb")),
                 ("MiniLM peak, corpus (packed batches)", med(e, "corpus_peak_mb"), med(e, "checkpoint_mb"))]
    if "memory scoring" in ours:
        g = ours["memory scoring"]
        rows += [("GPT-2-small weights loaded", med(g, "loaded_rss_mb"), med(g, "checkpoint_mb")),
                 ("GPT-2-small peak, 4 x 512 tokens", med(g, "peak_mb"), med(g, "checkpoint_mb"))]
    for label, mb, size in rows:
        print(f"  {label:40} {mb - base:7.0f} MiB = {(mb - base) / size:.2f}x the checkpoint ({size:.0f} MiB)")
