#!/usr/bin/env python3
"""transformers side of Ops/bench-smollm2: the same work as `consortium infer bench-score`.

Loads a GGUF checkpoint with transformers (float32, the gguf package's dequantisation — the same weights the
engine computes with), scores a text in consecutive WINDOW-token windows (tokenization included, each window's
loss as transformers computes it), and prints one JSON line: median seconds, tokens/s, load time, perplexity,
peak RSS.
"""
import argparse
import json
import math
import resource
import statistics
import time
from pathlib import Path

import torch
import transformers


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--gguf", required=True)
    p.add_argument("--file", required=True)
    p.add_argument("--window", type=int, default=512)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--repetitions", type=int, default=3)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    path = Path(a.gguf)
    text = Path(a.file).read_text(encoding="utf-8")
    baseline_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    tok = transformers.AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
    model = transformers.AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name, dtype=torch.float32).eval()
    load_s = time.perf_counter() - start

    def score():
        ids = tok(text, add_special_tokens=False)["input_ids"]
        total, predicted = 0.0, 0
        with torch.inference_mode():
            for s in range(0, len(ids), a.window):
                chunk = torch.tensor([ids[s : s + a.window]])
                if chunk.shape[1] < 2:
                    continue
                loss = model(input_ids=chunk, labels=chunk).loss.item()
                total += loss * (chunk.shape[1] - 1)
                predicted += chunk.shape[1] - 1
        return len(ids), math.exp(total / predicted)

    seconds, result = [], None
    for _ in range(a.repetitions):
        t = time.perf_counter()
        result = score()
        seconds.append(time.perf_counter() - t)
    median = statistics.median(seconds)
    tokens, perplexity = result
    print(json.dumps({
        "name": f"perplexity {a.window}-token windows", "median_s": median, "rate": tokens / median, "threads": a.threads,
        "load_s": load_s, "perplexity": perplexity, "tokens": tokens,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "baseline_rss_mb": baseline_mb,
    }, sort_keys=True), flush=True)


if __name__ == "__main__":
    main()
