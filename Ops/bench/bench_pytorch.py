#!/usr/bin/env python3
"""PyTorch + transformers side of Ops/bench-inference: the same work as `consortium infer bench`.

Prints one JSON object per measurement (median of REPS repetitions). With --make-gpt2 DIR it only
creates the random-weight GPT-2-small checkpoint both sides score (once; reused afterwards).
"""
import argparse
import json
import statistics
import time
from pathlib import Path

import torch
import transformers

REPS = 5


def timed(fn, reps=REPS):
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def emit(name, seconds, work, **extra):
    med = statistics.median(seconds)
    print(json.dumps({"name": name, "median_s": med, "rate": work / med, **extra}, sort_keys=True), flush=True)


def make_gpt2(directory: Path):
    if (directory / "model.safetensors").exists():
        return
    torch.manual_seed(0)
    config = transformers.GPT2Config(n_layer=12, n_embd=768, n_head=12, n_positions=1024, vocab_size=50257)
    model = transformers.GPT2LMHeadModel(config).eval()
    model.save_pretrained(directory, safe_serialization=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--make-gpt2")
    p.add_argument("--model")
    p.add_argument("--corpus")
    p.add_argument("--gpt2")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sentence", default="The working group published a new checkpoint today.")
    a = p.parse_args()
    if a.make_gpt2:
        make_gpt2(Path(a.make_gpt2))
        return
    torch.set_num_threads(a.threads)
    tok = transformers.AutoTokenizer.from_pretrained(a.model)
    model = transformers.AutoModel.from_pretrained(a.model).eval()
    lines = [l for l in Path(a.corpus).read_text(encoding="utf-8").split("\n") if l]

    def embed(texts, batch=32, sort=True):
        order = sorted(range(len(texts)), key=lambda i: len(texts[i])) if sort else list(range(len(texts)))
        out = [None] * len(texts)
        with torch.inference_mode():
            for s in range(0, len(order), batch):
                idx = order[s : s + batch]
                enc = tok([texts[i] for i in idx], padding=True, truncation=True, max_length=256, return_tensors="pt")
                h = model(**enc).last_hidden_state
                m = enc["attention_mask"].unsqueeze(-1).to(h.dtype)
                e = (h * m).sum(1) / m.sum(1).clamp(min=1e-9)
                e = torch.nn.functional.normalize(e, p=2, dim=1)
                for j, i in enumerate(idx):
                    out[i] = e[j]
        return out

    embed(lines[:64])  # warm-up
    emit("embed corpus (sorted by length, batch 32)", timed(lambda: embed(lines)), len(lines))
    emit("embed corpus (corpus order, batch 32)", timed(lambda: embed(lines, sort=False), reps=max(1, REPS // 2)), len(lines))
    emit("embed batch-1", timed(lambda: embed([a.sentence], batch=1), reps=20 * REPS), 1)
    if a.gpt2:
        gpt2 = transformers.GPT2LMHeadModel.from_pretrained(a.gpt2).eval()
        g = torch.Generator().manual_seed(0)
        seqs = [torch.randint(0, gpt2.config.vocab_size, (1, 512), generator=g) for _ in range(4)]

        def score():
            with torch.inference_mode():
                for s in seqs:
                    logits = gpt2(input_ids=s).logits
                    torch.log_softmax(logits[0, :-1], dim=-1).gather(1, s[0, 1:, None])

        score()
        emit("gpt2 scoring 4x512 tokens", timed(score), 4 * 512)


if __name__ == "__main__":
    main()
