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


def timed(fn, reps=None):
    reps = REPS if reps is None else reps
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


def onnx_batch1(a, tok):
    """ONNX Runtime's batch-1 latency on the same sentence (tokenization and mean pooling included), when
    onnxruntime is installed: the model is exported once to ONNX next to the bench's GPT-2 checkpoint."""
    try:
        import numpy as np
        import onnxruntime as ort
    except ImportError:
        return
    path = Path(a.gpt2 or ".").parent / "all-MiniLM-L6-v2.onnx"
    if not path.exists():
        class LastHiddenState(torch.nn.Module):
            def __init__(self, model):
                super().__init__()
                self.model = model

            def forward(self, input_ids, attention_mask, token_type_ids):
                return self.model(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

        model = LastHiddenState(transformers.AutoModel.from_pretrained(a.model).eval())
        enc = tok([a.sentence], return_tensors="pt")
        names = ["input_ids", "attention_mask", "token_type_ids"]
        axes = {n: {0: "batch", 1: "tokens"} for n in names}
        torch.onnx.export(model, tuple(enc[n] for n in names), str(path), input_names=names, output_names=["last_hidden_state"],
                          dynamic_axes={**axes, "last_hidden_state": {0: "batch", 1: "tokens"}}, opset_version=17, dynamo=False)
    options = ort.SessionOptions()
    options.intra_op_num_threads = a.threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def embed_one():
        enc = tok([a.sentence], return_tensors="np")
        h = session.run(None, {n: enc[n].astype(np.int64) for n in ("input_ids", "attention_mask", "token_type_ids")})[0]
        m = enc["attention_mask"][..., None].astype(np.float32)
        e = (h * m).sum(1) / m.sum(1)
        return e / np.linalg.norm(e, axis=1, keepdims=True)

    for _ in range(20):
        embed_one()
    emit("embed batch-1 (onnxruntime)", timed(embed_one, reps=20 * REPS), 1, onnxruntime=ort.__version__)


def main():
    global REPS
    p = argparse.ArgumentParser()
    p.add_argument("--make-gpt2")
    p.add_argument("--model")
    p.add_argument("--corpus")
    p.add_argument("--gpt2")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sentence", default="The working group published a new checkpoint today.")
    p.add_argument("--repetitions", type=int, default=REPS, help="repetitions of each measurement (as `consortium infer bench`)")
    a = p.parse_args()
    REPS = a.repetitions
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
    onnx_batch1(a, tok)
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
