#!/usr/bin/env python3
"""Reference for Ops/bench-runner: tokens per second of a sentence encoder over an embedding-similarity JSONL file with
transformers on CPU, one sentence per forward pass (as the runner does), then in batches of 32 (padded, masked mean
pooling). Prints "<loop tokens/s> <batched tokens/s>". Threads: torch's default (all cores), as the runner's."""

import json
import sys
import time

import tokenizers
import torch
import transformers

torch.set_grad_enabled(False)
directory, path = sys.argv[1], sys.argv[2]
tok = tokenizers.Tokenizer.from_file(f"{directory}/tokenizer.json")
tok.no_padding()
tok.no_truncation()
model = transformers.AutoModel.from_pretrained(directory).eval()
pairs = [json.loads(line) for line in open(path, encoding="utf-8") if line.strip()]
sentences = [s for p in pairs for s in (p["sentence1"], p["sentence2"])]
encoded = [tok.encode(s).ids for s in sentences]
tokens = sum(len(ids) for ids in encoded)

model(torch.tensor([encoded[0]]))  # warm up
start = time.perf_counter()
for ids in encoded:
    states = model(torch.tensor([ids])).last_hidden_state[0]
    vector = states.mean(dim=0)
    vector = vector / vector.norm()
loop = tokens / (time.perf_counter() - start)

start = time.perf_counter()
for i in range(0, len(encoded), 32):
    batch = encoded[i:i + 32]
    width = max(len(ids) for ids in batch)
    ids = torch.tensor([b + [0] * (width - len(b)) for b in batch])
    mask = torch.tensor([[1] * len(b) + [0] * (width - len(b)) for b in batch])
    states = model(input_ids=ids, attention_mask=mask).last_hidden_state
    vectors = (states * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)
    vectors = vectors / vectors.norm(dim=1, keepdim=True)
batched = tokens / (time.perf_counter() - start)
print(f"{loop:.1f} {batched:.1f}")
