"""Train raqib's encoder on train.jsonl (+ its augmented rows), select the epoch on dev macro-F1.

The test split is never read here.

  /usr/bin/python3 scripts/train/train.py --inputs models/.work --tokenizer models/raqib-small/tokenizer.json \
      --work models/.work --hidden 256 --layers 4 --heads 4 --ffn 1024
Writes WORK/ckpt-<name>.pt (best epoch) and WORK/metrics-<name>.json.
"""
import os

# Threads (measured on this 2-core machine, see README): Debian's torch runs matmuls in OpenBLAS
# (pthreads) and everything else in its own OpenMP pool. torch.set_num_threads(2) made training steps
# 1.3-5x SLOWER (libgomp's spinning workers fight OpenBLAS's); giving both cores to OpenBLAS and one to
# torch's pool was fastest. Override with OPENBLAS_NUM_THREADS / RAQIB_TORCH_THREADS.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")
TORCH_THREADS = int(os.environ.get("RAQIB_TORCH_THREADS", "1"))

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (  # noqa: E402
    CLS_ID,
    LABEL_NAMES,
    MARKERS,
    MAX_LENGTH,
    PAD_ID,
    SEED,
    SEP_ID,
    UNK_ID,
    read_jsonl,
    seed_everything,
)
from model import EncoderConfig, RaqibEncoder, count_parameters  # noqa: E402
from tokenizer import Tokenizer  # noqa: E402

torch.set_num_threads(TORCH_THREADS)


def load_split(path, tok):
    rows = read_jsonl(path)
    for r in rows:
        r["ids"] = tok.encode(r["text"])
    return rows


def noise_rows(n, tok, seed):
    """Synthetic benign inputs that contain no language the model knows: runs of [UNK] (unseen scripts),
    repeated single characters, digits, punctuation and emoji. Without them, such out-of-distribution
    input (e.g. Japanese NFT metadata, which is all [UNK]) scored as propaganda."""
    import unicodedata

    rng = np.random.RandomState(seed + 2)
    space = tok.tok2id["\u2581"]
    nonletters = [i for i, p in enumerate(tok.vocab) if i >= 10 and len(p.lstrip("\u2581")) == 1
                  and not unicodedata.category(p.lstrip("\u2581")).startswith("L")]
    letters = [i for i, p in enumerate(tok.vocab) if i >= 10 and len(p.lstrip("\u2581")) == 1
               and unicodedata.category(p.lstrip("\u2581")).startswith("L")]
    markers = [tok.tok2id[m] for m in MARKERS]
    rows = []
    for _ in range(n):
        ids = [CLS_ID]
        for m in sorted(rng.choice(markers, size=rng.randint(1, 4), replace=False)):
            ids += [space, int(m)]
            kind = rng.randint(4)
            k = int(rng.randint(1, 40))
            if kind == 0:  # unseen-script words
                for _ in range(k):
                    ids += [space, UNK_ID]
            elif kind == 1:  # one character repeated
                ids += [space] + [int(rng.choice(nonletters + letters))] * k
            elif kind == 2:  # digits / punctuation / emoji / [UNK] soup
                for _ in range(k):
                    if rng.random() < 0.3:
                        ids.append(space)
                    ids.append(UNK_ID if rng.random() < 0.3 else int(rng.choice(nonletters)))
            else:  # unseen-script words with numbers and punctuation (e.g. "#1234")
                for _ in range(k):
                    ids += [space, UNK_ID if rng.random() < 0.6 else int(rng.choice(nonletters))]
        ids = (ids + [SEP_ID])[:MAX_LENGTH]
        rows.append({"id": "noise", "text": "", "ids": ids, "label": 2, "categories": [0] * 6,
                     "lang": "none", "augmented": True})
    return rows


def pad_batch(seqs):
    n = max(len(s) for s in seqs)
    ids = np.full((len(seqs), n), PAD_ID, dtype=np.int64)
    mask = np.zeros((len(seqs), n), dtype=np.int64)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = s
        mask[i, : len(s)] = 1
    ids = torch.from_numpy(ids)
    mask = torch.from_numpy(mask)
    return ids, mask, torch.zeros_like(ids)


def length_batches(lengths, batch_size, rng):
    """Shuffled batches of similar length (less padding, same data each epoch)."""
    idx = rng.permutation(len(lengths))
    chunk = batch_size * 50
    batches = []
    for s in range(0, len(idx), chunk):
        part = sorted(idx[s: s + chunk], key=lambda i: lengths[i])
        batches += [part[j: j + batch_size] for j in range(0, len(part), batch_size)]
    order = rng.permutation(len(batches))
    return [batches[i] for i in order]


def unk_noise(seq, p, rng, protected):
    """Replace a few ordinary tokens by [UNK] so that [UNK] (unseen scripts, emoji) gets trained."""
    if p <= 0:
        return seq
    out = list(seq)
    for i in range(1, len(out)):
        if out[i] not in protected and rng.random() < p:
            out[i] = UNK_ID
    return out


@torch.no_grad()
def predict(model, rows, batch_size=64):
    model.eval()
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["ids"]))
    out = np.zeros((len(rows), 9), dtype=np.float32)
    for s in range(0, len(order), batch_size):
        b = order[s: s + batch_size]
        ids, mask, tt = pad_batch([rows[i]["ids"] for i in b])
        out[b] = model(ids, mask, tt).numpy()
    return out


def softmax(x, t=1.0):
    z = x / t
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def evaluate(rows, logits):
    y = np.array([r["label"] for r in rows])
    pred = logits[:, :3].argmax(axis=1)
    probs = softmax(logits[:, :3])
    nll = float(-np.log(probs[np.arange(len(y)), y] + 1e-12).mean())
    res = {
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "accuracy": float((pred == y).mean()),
        "nll": nll,
        "per_label_f1": dict(zip(LABEL_NAMES, map(float, f1_score(y, pred, average=None, labels=[0, 1, 2])))),
    }
    prop = y == 0
    cats = np.array([r["categories"] for r in rows])
    if prop.any():
        cat_pred = logits[prop, 3:] > 0
        res["category_exact"] = float((cat_pred == (cats[prop] > 0.5)).all(axis=1).mean())
        res["category_top1"] = float((logits[prop, 3:].argmax(axis=1) == cats[prop].argmax(axis=1)).mean())
    per_lang = {}
    for lang in sorted(set(r["lang"] for r in rows)):
        m = np.array([r["lang"] == lang for r in rows])
        p, n = m & prop, m & ~prop
        per_lang[lang] = {
            "n": int(m.sum()),
            "macro_f1": float(f1_score(y[m], pred[m], average="macro", labels=[0, 1, 2])),
            "propaganda_recall": float((pred[p] == 0).mean()) if p.any() else None,
            "false_flag_rate": float((pred[n] == 0).mean()) if n.any() else None,
            "n_propaganda": int(p.sum()),
        }
    res["per_language"] = per_lang
    return res


def mlm_pretrain(model, rows, args, tok):
    """BERT-style MLM on the training texts only (15 % of ordinary tokens: 80 % [MASK], 10 % random,
    10 % kept), output layer tied to the word embeddings; the head is discarded afterwards."""
    from common import MASK_ID

    rng = np.random.RandomState(args.seed + 1)
    protected = {CLS_ID, SEP_ID, PAD_ID} | {tok.tok2id[m] for m in MARKERS}
    vocab = model.config.vocab_size
    head_dense = torch.nn.Linear(model.config.hidden, model.config.hidden)
    head_norm = torch.nn.LayerNorm(model.config.hidden, eps=model.config.layer_norm_eps)
    head_bias = torch.nn.Parameter(torch.zeros(vocab))
    params = list(model.parameters()) + list(head_dense.parameters()) + list(head_norm.parameters()) + [head_bias]
    opt = torch.optim.AdamW(params, lr=args.lr, weight_decay=args.weight_decay)
    steps = args.mlm_epochs * ((len(rows) + args.batch - 1) // args.batch)
    warm = max(1, int(steps * 0.06))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    lengths = [len(r["ids"]) for r in rows]
    for epoch in range(1, args.mlm_epochs + 1):
        model.train()
        te, tot, n = time.time(), 0.0, 0
        for b in length_batches(lengths, args.batch, rng):
            seqs, targets = [], []
            for i in b:
                s = list(rows[i]["ids"])
                t = [-100] * len(s)
                for j in range(len(s)):
                    if s[j] in protected or rng.random() >= 0.15:
                        continue
                    t[j] = s[j]
                    r = rng.random()
                    s[j] = MASK_ID if r < 0.8 else (int(rng.randint(10, vocab)) if r < 0.9 else s[j])
                seqs.append(s)
                targets.append(t)
            ids, mask, tt = pad_batch(seqs)
            tgt = torch.full(ids.shape, -100, dtype=torch.long)
            for k, t in enumerate(targets):
                tgt[k, : len(t)] = torch.tensor(t)
            sel = tgt != -100
            if not sel.any():
                continue
            h, _ = model.encode(ids, mask, tt)
            h = head_norm(F.gelu(head_dense(h[sel])))
            logits = h @ model.word_embeddings.weight.t() + head_bias
            loss = F.cross_entropy(logits, tgt[sel])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            tot += float(loss)
            n += 1
        print(f"mlm epoch {epoch}: loss {tot / max(1, n):.4f} ({time.time() - te:.0f}s)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--tokenizer", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--ffn", type=int, default=1024)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=15)
    ap.add_argument("--patience", type=int, default=4)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=5e-4)
    ap.add_argument("--weight-decay", type=float, default=0.01)
    ap.add_argument("--warmup", type=float, default=0.06)
    ap.add_argument("--category-weight", type=float, default=2.0)
    ap.add_argument("--label-smoothing", type=float, default=0.05)
    ap.add_argument("--unk-noise", type=float, default=0.02)
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--ema", type=float, default=0.998,
                    help="0 = off; > 0: keep an exponential moving average of the weights (this decay per step) "
                         "and evaluate/select/ship the averaged weights")
    ap.add_argument("--noise-benign", type=int, default=300,
                    help="synthetic benign rows of [UNK]/digits/punctuation/emoji (no language) added to train")
    ap.add_argument("--weak", default=None,
                    help="weak positives exported by export-inputs --weak (the CC0 Fifth Tribe tweets' training half)")
    ap.add_argument("--weak-weight", type=float, default=0.5,
                    help="loss weight of a weak positive (the account was pro-ISIS, not each tweet)")
    ap.add_argument("--weak-max-latin", type=int, default=0,
                    help="at most this many Latin-script weak rows (all Arabic-script ones are kept). Default 0: "
                         "3,000 English tweets at weight 0.3 made the model flag 28 %% of real benign NFT metadata "
                         "(Arabic-only: 1.7 %%), see scripts/train/README.md")
    ap.add_argument("--mlm-epochs", type=int, default=0,
                    help="masked-language-model pre-training epochs on the train texts before fine-tuning")
    ap.add_argument("--name", default=None)
    args = ap.parse_args()

    seed_everything(args.seed)
    tok = Tokenizer(args.tokenizer)
    t0 = time.time()
    train = load_split(os.path.join(args.inputs, "train.jsonl"), tok)
    dev = load_split(os.path.join(args.inputs, "dev.jsonl"), tok)
    print(f"tokenized {len(train)} train / {len(dev)} dev rows in {time.time() - t0:.1f}s", flush=True)
    if args.noise_benign > 0:
        train = train + noise_rows(args.noise_benign, tok, args.seed)
    n_weak = 0
    if args.weak:
        weak = load_split(args.weak, tok)
        latin = [r for r in weak if r["lang"] != "weak-ar"]
        keep = [r for r in weak if r["lang"] == "weak-ar"]
        pick = np.random.RandomState(args.seed + 3).permutation(len(latin))[: args.weak_max_latin]
        keep += [latin[i] for i in sorted(pick)]
        n_weak = len(keep)
        train = train + keep
        print(f"weak positives: {n_weak} rows ({len(keep) - len(pick)} Arabic-script) at weight {args.weak_weight}",
              flush=True)

    cfg = EncoderConfig(len(tok.vocab), hidden=args.hidden, layers=args.layers, heads=args.heads,
                        ffn=args.ffn, max_position=MAX_LENGTH, dropout=args.dropout,
                        attention_dropout=args.dropout)
    name = args.name or cfg.name()
    model = RaqibEncoder(cfg)
    print(f"{name}: {count_parameters(model) / 1e6:.2f} M parameters", flush=True)
    mlm_seconds = 0.0
    if args.mlm_epochs > 0:
        t_mlm = time.time()
        mlm_pretrain(model, train, args, tok)
        mlm_seconds = time.time() - t_mlm

    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if p.dim() < 2 or "norm" in n else decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr)
    steps_per_epoch = (len(train) + args.batch - 1) // args.batch
    total = steps_per_epoch * args.epochs
    warm = max(1, int(total * args.warmup))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (total - s) / max(1, total - warm))))

    protected = {CLS_ID, SEP_ID, PAD_ID} | {tok.tok2id[m] for m in MARKERS}
    lengths = [len(r["ids"]) for r in train]
    labels = torch.tensor([r["label"] for r in train])
    cats = torch.tensor([r["categories"] for r in train], dtype=torch.float32)
    is_weak = torch.tensor([bool(r.get("weak")) for r in train])
    row_weight = torch.where(is_weak, torch.tensor(args.weak_weight), torch.tensor(1.0))
    rng = np.random.RandomState(args.seed)
    best, best_state, history, bad_epochs = None, None, [], 0
    ema_model = None
    if args.ema > 0:
        import copy

        ema_model = copy.deepcopy(model)
        for p in ema_model.parameters():
            p.requires_grad_(False)
    t_train = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        te = time.time()
        tot_loss = 0.0
        for b in length_batches(lengths, args.batch, rng):
            ids, mask, tt = pad_batch([unk_noise(train[i]["ids"], args.unk_noise, rng, protected) for i in b])
            logits = model(ids, mask, tt)
            y = labels[b]
            w = row_weight[b]
            loss = (F.cross_entropy(logits[:, :3], y, label_smoothing=args.label_smoothing, reduction="none") * w).sum() / w.sum()
            # weak rows carry no category: their tweets' categories are unknown
            prop = (y == 0) & ~is_weak[b]
            if prop.any():
                loss = loss + args.category_weight * F.binary_cross_entropy_with_logits(
                    logits[prop, 3:], cats[b][prop])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            if ema_model is not None:
                with torch.no_grad():
                    for pe, p in zip(ema_model.parameters(), model.parameters()):
                        pe.mul_(args.ema).add_(p, alpha=1.0 - args.ema)
            tot_loss += float(loss) * len(b)
        train_time = time.time() - te
        selected = ema_model if ema_model is not None else model
        ev = evaluate(dev, predict(selected, dev))
        history.append({"epoch": epoch, "train_loss": tot_loss / len(train), "dev_macro_f1": ev["macro_f1"],
                        "dev_nll": ev["nll"], "epoch_seconds": round(train_time, 1)})
        print(f"epoch {epoch}: loss {tot_loss / len(train):.4f} dev macro-F1 {ev['macro_f1']:.4f} "
              f"nll {ev['nll']:.4f} ({train_time:.0f}s)", flush=True)
        key = (ev["macro_f1"], -ev["nll"])
        if best is None or key > best[0]:
            best = (key, epoch, ev)
            best_state = {k: v.detach().clone() for k, v in selected.state_dict().items()}
            bad_epochs = 0
        else:
            bad_epochs += 1
            if bad_epochs >= args.patience:
                print(f"early stop after epoch {epoch}", flush=True)
                break
    wall = time.time() - t_train
    model.load_state_dict(best_state)
    _, best_epoch, ev = best

    # model-only speed in PyTorch on dev inputs. The machine is shared, so besides wall-clock texts/s
    # we report CPU time per text with ONE thread (process_time; robust to other load).
    from threadpoolctl import threadpool_limits

    model.eval()
    speed = {}
    n_threads = torch.get_num_threads()
    with torch.no_grad(), threadpool_limits(limits=1):
        torch.set_num_threads(1)
        for bs in (1, 32):
            rows = dev[: 256 if bs == 1 else 1024]
            t, c = time.time(), time.process_time()
            for s in range(0, len(rows), bs):
                model(*pad_batch([r["ids"] for r in rows[s: s + bs]]))
            speed[f"torch_1thread_texts_per_s_batch{bs}"] = round(len(rows) / (time.time() - t), 1)
            speed[f"torch_1thread_cpu_ms_per_text_batch{bs}"] = round(1000 * (time.process_time() - c) / len(rows), 3)
    torch.set_num_threads(n_threads)

    metrics = {
        "name": name,
        "config": cfg.to_dict(),
        "parameters": count_parameters(model),
        "best_epoch": best_epoch,
        "epochs_run": len(history),
        "train_wall_seconds": round(wall, 1),
        "mlm_wall_seconds": round(mlm_seconds, 1),
        "args": vars(args),
        "weak_rows": n_weak,
        "dev": ev,
        "speed": speed,
        "history": history,
    }
    os.makedirs(args.work, exist_ok=True)
    torch.save({"config": cfg.to_dict(), "state_dict": best_state, "metrics": metrics},
               os.path.join(args.work, f"ckpt-{name}.pt"))
    with open(os.path.join(args.work, f"metrics-{name}.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    pl = " ".join(f"{k}:{v['propaganda_recall']:.2f}" for k, v in ev["per_language"].items()
                  if v["propaganda_recall"] is not None)
    print(f"best epoch {best_epoch}: dev macro-F1 {ev['macro_f1']:.4f}, wall {wall:.0f}s, speed {speed}")
    print(f"dev propaganda recall per language: {pl}")


if __name__ == "__main__":
    main()
