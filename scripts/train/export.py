"""Export a trained checkpoint to raqib's model directory (Hugging Face layout, transformers.js-ready).

  /usr/bin/python3 scripts/train/export.py --ckpt models/.work/ckpt-NAME.pt --inputs models/.work \
      --out models/raqib-small

Writes OUT/onnx/model.onnx (fp32, opset 17), OUT/onnx/model_quantized.onnx (weight-only int8),
OUT/config.json, OUT/calibration.json and OUT/MODEL_CARD.md (tokenizer files come from tokenizer.py).
Checks, with the NumPy ONNX interpreter (onnx_ref.py): fp32 graph == PyTorch, int8 graph close to
fp32, and a record's int8 scores independent of its batch. Only dev is used (temperature, metrics).
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")  # see train.py

import argparse  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from scipy.optimize import minimize_scalar  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import CATEGORY_NAMES, LABEL_NAMES, MAX_LENGTH, OUTPUT_NAMES, read_jsonl, write_json  # noqa: E402
from model import EncoderConfig, RaqibEncoder, count_parameters  # noqa: E402
from onnx_ref import OnnxGraph  # noqa: E402
from quantize import quantize_weights  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402
from train import evaluate, pad_batch, predict, softmax  # noqa: E402

torch.set_num_threads(int(os.environ.get("RAQIB_TORCH_THREADS", "1")))
INPUT_NAMES = ["input_ids", "attention_mask", "token_type_ids"]


def load_model(ckpt_path):
    ckpt = torch.load(ckpt_path, map_location="cpu")
    model = RaqibEncoder(EncoderConfig.from_dict(ckpt["config"]))
    model.load_state_dict(ckpt["state_dict"])
    model.eval()
    return model, ckpt


def export_onnx(model, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    ids, mask, tt = pad_batch([[2, 5, 100, 200, 3], [2, 6, 300, 3]])
    dyn = {n: {0: "batch", 1: "sequence"} for n in INPUT_NAMES}
    dyn["logits"] = {0: "batch"}
    with torch.no_grad():
        torch.onnx.export(model, (ids, mask, tt), path, opset_version=17, input_names=INPUT_NAMES,
                          output_names=["logits"], dynamic_axes=dyn, do_constant_folding=True)


def run_graph(graph, seqs, batch_size=64):
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    out = np.zeros((len(seqs), 9), dtype=np.float32)
    for s in range(0, len(order), batch_size):
        b = order[s: s + batch_size]
        ids, mask, tt = pad_batch([seqs[i] for i in b])
        out[b] = graph.run({"input_ids": ids.numpy(), "attention_mask": mask.numpy(),
                            "token_type_ids": tt.numpy()})[0]
    return out


def probs9(logits):
    return np.concatenate([softmax(logits[:, :3]), 1.0 / (1.0 + np.exp(-logits[:, 3:]))], axis=1)


def fit_temperature(logits3, y):
    def nll(log_t):
        p = softmax(logits3.astype(np.float64), np.exp(log_t))
        return float(-np.log(p[np.arange(len(y)), y] + 1e-12).mean())

    r = minimize_scalar(nll, bounds=(np.log(0.05), np.log(20.0)), method="bounded",
                        options={"xatol": 1e-6})
    return float(np.exp(r.x)), nll(0.0), float(r.fun)


def ece(probs, y, bins=10):
    conf = probs.max(axis=1)
    pred = probs.argmax(axis=1)
    e = 0.0
    for lo in np.linspace(0, 1, bins, endpoint=False):
        m = (conf > lo) & (conf <= lo + 1.0 / bins)
        if m.any():
            e += m.mean() * abs((pred[m] == y[m]).mean() - conf[m].mean())
    return float(e)


def write_config(out, cfg, tok):
    write_json(os.path.join(out, "config.json"), {
        "model_type": "bert",
        "architectures": ["RaqibEncoder"],
        "_comment": "raqib's own encoder (masked-mean pooling + tanh dense, not BERT's [CLS] pooler): run it "
                    "through its ONNX files. logits[0:3] = label (softmax), logits[3:9] = propaganda "
                    "categories (independent sigmoids).",
        "vocab_size": cfg.vocab_size,
        "hidden_size": cfg.hidden,
        "num_hidden_layers": cfg.layers,
        "num_attention_heads": cfg.heads,
        "intermediate_size": cfg.ffn,
        "hidden_act": "gelu",
        "max_position_embeddings": cfg.max_position,
        "type_vocab_size": cfg.type_vocab,
        "layer_norm_eps": cfg.layer_norm_eps,
        "hidden_dropout_prob": cfg.dropout,
        "attention_probs_dropout_prob": cfg.attention_dropout,
        "pad_token_id": 0,
        "num_labels": len(OUTPUT_NAMES),
        "id2label": {str(i): n for i, n in enumerate(OUTPUT_NAMES)},
        "label2id": {n: i for i, n in enumerate(OUTPUT_NAMES)},
        "label_names": LABEL_NAMES,
        "category_names": CATEGORY_NAMES,
        "max_length": MAX_LENGTH,
        "pooling": "masked_mean_tanh",
        "outputs": {"label_logits": [0, 3], "label_activation": "softmax",
                    "category_logits": [3, 9], "category_activation": "sigmoid"},
        "field_markers": ["[T]", "[D]", "[A]", "[C]", "[X]"],
        "calibration": "calibration.json",
    })


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    model, ckpt = load_model(args.ckpt)
    cfg = model.config
    tok = Tokenizer(os.path.join(args.out, "tokenizer.json"))
    assert len(tok.vocab) == cfg.vocab_size, "tokenizer.json does not belong to this checkpoint"
    fp32_path = os.path.join(args.out, "onnx", "model.onnx")
    q8_path = os.path.join(args.out, "onnx", "model_quantized.onnx")
    export_onnx(model, fp32_path)
    report = quantize_weights(fp32_path, q8_path)
    for p in (fp32_path, q8_path):  # what onnxruntime would reject at load: types, shapes, opset
        onnx.checker.check_model(p, full_check=True)
        onnx.shape_inference.infer_shapes_path(p, p + ".inferred", check_type=True, strict_mode=True)
        os.remove(p + ".inferred")
    print(f"quantised {len(report)} weights; max abs weight error {max(r[3] for r in report):.2e}")

    dev = read_jsonl(os.path.join(args.inputs, "dev.jsonl"))
    seqs = [tok.encode(r["text"]) for r in dev]
    for r, s in zip(dev, seqs):
        r["ids"] = s
    y = np.array([r["label"] for r in dev])
    torch_logits = predict(model, dev)
    g32, g8 = OnnxGraph(fp32_path), OnnxGraph(q8_path)
    onnx32 = run_graph(g32, seqs)
    onnx8 = run_graph(g8, seqs)
    p_torch, p32, p8 = probs9(torch_logits), probs9(onnx32), probs9(onnx8)
    d32 = float(np.abs(p32 - p_torch).max())
    d8 = float(np.abs(p8 - p32).max())
    d8_label = float(np.abs(p8[:, :3] - p32[:, :3]).max())
    print(f"max |p| difference on dev: fp32 ONNX vs torch {d32:.2e}; int8 vs fp32 {d8:.2e} "
          f"(labels {d8_label:.2e})")

    # batch independence of the int8 graph: each record alone vs in length-sorted padded batches
    alone = np.stack([g8.run({"input_ids": np.array([s]), "attention_mask": np.ones((1, len(s)), np.int64),
                              "token_type_ids": np.zeros((1, len(s)), np.int64)})[0][0] for s in seqs[:64]])
    mixed = run_graph(g8, seqs[:64], batch_size=16)
    d_batch = float(np.abs(probs9(alone) - probs9(mixed)).max())
    print(f"int8: max |p| difference alone vs batched (64 dev records) {d_batch:.2e}")

    t32, nll32, nll32_t = fit_temperature(onnx32[:, :3], y)
    t8, nll8, nll8_t = fit_temperature(onnx8[:, :3], y)
    ev32, ev8 = evaluate(dev, onnx32), evaluate(dev, onnx8)
    cal = {
        "temperature": round(t8, 6),
        "temperature_fp32": round(t32, 6),
        "applies_to": "logits[0:3] (softmax over propaganda, about_extremism, benign): p = softmax(logits / T)",
        "fitted_on": "dev split, by minimising negative log-likelihood (temperature = int8 graph, "
                     "temperature_fp32 = fp32 graph)",
        "dev": {
            "q8": {"nll": round(nll8, 5), "nll_calibrated": round(nll8_t, 5),
                   "ece": round(ece(softmax(onnx8[:, :3]), y), 5),
                   "ece_calibrated": round(ece(softmax(onnx8[:, :3], t8), y), 5)},
            "fp32": {"nll": round(nll32, 5), "nll_calibrated": round(nll32_t, 5),
                     "ece": round(ece(softmax(onnx32[:, :3]), y), 5),
                     "ece_calibrated": round(ece(softmax(onnx32[:, :3], t32), y), 5)},
        },
    }
    write_json(os.path.join(args.out, "calibration.json"), cal)
    write_config(args.out, cfg, tok)

    train_rows = read_jsonl(os.path.join(args.inputs, "train.jsonl"))  # counts only
    summary = {
        "name": ckpt["metrics"]["name"],
        "parameters": count_parameters(model),
        "vocab_size": cfg.vocab_size,
        "max_length": MAX_LENGTH,
        "n_train": len(train_rows),
        "n_train_augmented": sum(bool(r.get("augmented")) for r in train_rows),
        "n_dev": len(dev),
        "files": {os.path.basename(p): os.path.getsize(p) for p in (fp32_path, q8_path)},
        "max_prob_diff_fp32_onnx_vs_torch": d32,
        "max_prob_diff_q8_vs_fp32": d8,
        "max_prob_diff_q8_vs_fp32_labels": d8_label,
        "max_prob_diff_q8_alone_vs_batched": d_batch,
        "calibration": cal,
        "dev_fp32": ev32,
        "dev_q8": ev8,
        "training": {k: ckpt["metrics"].get(k, 0) for k in ("best_epoch", "epochs_run", "train_wall_seconds", "speed", "weak_rows",
                                                     "history", "args")},
        "exported": datetime.date.today().isoformat(),
    }
    work = os.path.dirname(os.path.abspath(args.ckpt))
    with open(os.path.join(work, "export-summary.json"), "w") as f:
        json.dump(summary, f, indent=2)
    print(f"dev macro-F1 fp32 {ev32['macro_f1']:.4f} q8 {ev8['macro_f1']:.4f}; T={t8:.3f} "
          f"(NLL {nll8:.4f} -> {nll8_t:.4f}); files {summary['files']}")
    from model_card import write_model_card  # noqa: E402
    write_model_card(args.out, summary)


if __name__ == "__main__":
    main()
