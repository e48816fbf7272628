"""Parity fixtures for the TypeScript side: test/fixtures/model-parity.jsonl.

Each line: {"text", "ids", "probs_fp32", "probs_q8", "source", "lang", "synthetic": true}
  ids        what transformers.js must produce from tokenizer.json: [CLS] ... [SEP], truncated to 128
             AFTER the specials are added (a long input ends without [SEP]);
  probs_fp32 the exported fp32 module run in PyTorch on exactly these ids (batch of one): 3 softmax
             label probabilities (temperature 1, i.e. uncalibrated) + 6 category sigmoids;
  probs_q8   the same from onnx/model_quantized.onnx (NumPy interpreter of the stored graph).
Strings: dev and test texts of every language (the corpus is synthetic) plus edge cases.

  /usr/bin/python3 scripts/train/fixtures.py --inputs models/.work --model models/raqib-small \
      --ckpt models/.work/ckpt-NAME.pt --out test/fixtures/model-parity.jsonl
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import SEED, read_jsonl  # noqa: E402
from export import load_model, probs9  # noqa: E402
from onnx_ref import OnnxGraph  # noqa: E402
from tokenizer import Tokenizer, edge_cases  # noqa: E402

torch.set_num_threads(int(os.environ.get("RAQIB_TORCH_THREADS", "1")))


def pick_texts(inputs, per_lang_split=12):
    rng = np.random.RandomState(SEED)
    chosen = []
    for split in ("dev", "test"):
        rows = sorted(read_jsonl(os.path.join(inputs, f"{split}.jsonl")), key=lambda r: r["id"])
        for lang in sorted(set(r["lang"] for r in rows)):
            lr = [r for r in rows if r["lang"] == lang]
            idx = rng.choice(len(lr), size=min(per_lang_split, len(lr)), replace=False)
            chosen += [(lr[i]["text"], split, lang) for i in sorted(idx)]
    # the longest texts too (truncation), from both splits
    rows = read_jsonl(os.path.join(inputs, "test.jsonl")) + read_jsonl(os.path.join(inputs, "dev.jsonl"))
    for r in sorted(rows, key=lambda r: (-len(r["text"]), r["id"]))[:6]:
        chosen.append((r["text"], "long", r["lang"]))
    return chosen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--model", required=True, help="model directory (tokenizer.json, onnx/)")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    tok = Tokenizer(os.path.join(args.model, "tokenizer.json"))
    model, _ = load_model(args.ckpt)
    g8 = OnnxGraph(os.path.join(args.model, "onnx", "model_quantized.onnx"))
    g32 = OnnxGraph(os.path.join(args.model, "onnx", "model.onnx"))
    items = pick_texts(args.inputs) + [(t, "edge", None) for t in edge_cases()]
    seen, lines, d32, d8 = set(), [], 0.0, 0.0
    n_trunc = 0
    for text, source, lang in items:
        if text in seen:
            continue
        seen.add(text)
        ids = tok.encode(text)
        n_trunc += len(ids) == 128 and ids[-1] != 3
        feed = {"input_ids": np.array([ids], dtype=np.int64),
                "attention_mask": np.ones((1, len(ids)), dtype=np.int64),
                "token_type_ids": np.zeros((1, len(ids)), dtype=np.int64)}
        with torch.no_grad():
            lt = model(*(torch.from_numpy(feed[k]) for k in ("input_ids", "attention_mask", "token_type_ids")))
        p32 = probs9(lt.numpy().astype(np.float64))[0]
        p8 = probs9(g8.run(feed)[0].astype(np.float64))[0]
        pg = probs9(g32.run(feed)[0].astype(np.float64))[0]
        d32 = max(d32, float(np.abs(pg - p32).max()))
        d8 = max(d8, float(np.abs(p8 - p32).max()))
        lines.append({"text": text, "ids": ids, "probs_fp32": [float(x) for x in p32],
                      "probs_q8": [float(x) for x in p8], "source": source, "lang": lang, "synthetic": True})
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(f"fixtures: {len(lines)} strings ({n_trunc} truncated at 128) -> {args.out}; "
          f"max |p| fp32 ONNX graph vs torch {d32:.1e}, int8 vs fp32 {d8:.1e}")


if __name__ == "__main__":
    main()
