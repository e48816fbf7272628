"""Relative inference cost of candidate encoder sizes, in PyTorch, one thread, on real dev inputs.

The machine is shared (other jobs come and go), so this reports CPU time per text (process_time,
one thread), the minimum over interleaved repetitions -- a fair *relative* measure. Weights are random:
speed does not depend on them. ONNX Runtime (Node) is faster than PyTorch in absolute terms; see the
README for how the two relate.

  /usr/bin/python3 scripts/train/bench.py --inputs models/.work --tokenizer models/raqib-small/tokenizer.json
"""
import os

os.environ["OPENBLAS_NUM_THREADS"] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import read_jsonl  # noqa: E402
from model import EncoderConfig, RaqibEncoder, count_parameters  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402
from train import pad_batch  # noqa: E402

torch.set_num_threads(1)
SIZES = [(256, 4, 4, 1024), (192, 3, 3, 768), (256, 2, 4, 1024), (128, 2, 2, 512), (128, 2, 2, 256)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args()
    tok = Tokenizer(args.tokenizer)
    seqs = [tok.encode(r["text"]) for r in read_jsonl(os.path.join(args.inputs, "dev.jsonl"))][:512]
    print(f"{len(seqs)} dev texts, mean {sum(map(len, seqs)) / len(seqs):.1f} tokens")
    torch.manual_seed(0)
    models = {s: RaqibEncoder(EncoderConfig(len(tok.vocab), *s)).eval() for s in SIZES}
    best = {}
    with torch.no_grad():
        for _ in range(args.reps):
            for s, m in models.items():
                for bs in (1, 32):
                    c = time.process_time()
                    for i in range(0, len(seqs), bs):
                        m(*pad_batch(seqs[i: i + bs]))
                    ms = 1000 * (time.process_time() - c) / len(seqs)
                    best[(s, bs)] = min(best.get((s, bs), 1e9), ms)
    print("| size | params | CPU ms/text batch 1 | batch 32 | texts per CPU-second batch 1 / 32 |")
    print("|---|---|---|---|---|")
    for s, m in models.items():
        b1, b32 = best[(s, 1)], best[(s, 32)]
        print(f"| H{s[0]} L{s[1]} A{s[2]} F{s[3]} | {count_parameters(m) / 1e6:.2f} M | {b1:.2f} | {b32:.2f} | "
              f"{1000 / b1:.0f} / {1000 / b32:.0f} |")


if __name__ == "__main__":
    main()
