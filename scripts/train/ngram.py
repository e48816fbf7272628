"""raqib's second model: a linear classifier over hashed character n-grams (see scripts/train/README.md).

It reads the same inputs as the encoder (export-inputs: the exact normalised text the scorer builds),
and ships beside it in the model directory as `ngram.json` + `ngram.bin`. The feature specification is
small and written out so that src/ngram/features.ts reproduces it exactly:

  * lone surrogates become U+FFFD; the text is split on U+0020 (export-inputs has already collapsed all white space to one space);
  * each word w becomes " w " and yields every n-gram of n = MIN_N..MAX_N code points (a word shorter
    than n yields itself once, as in scikit-learn's char_wb analyser);
  * an n-gram's bucket is CRC-32 (zlib) of its UTF-8 bytes, modulo BUCKETS;
  * a text's features are binary (bucket present or not), weighted by the bucket's idf and L2-normalised;
  * logits = bias + W · features; probabilities = softmax(logits) over the three labels.

The idf is folded into the weights and both are stored quantised (weights int8 with one scale per
label, idf uint8 over [1, max]); the Python reference below computes with the quantised values, so
the parity fixture checks the TypeScript arithmetic, and the quantisation cost is measured on dev.

Model selection (C, n range) uses dev macro-F1 only; test is never read here.

  /usr/bin/python3 scripts/train/ngram.py --inputs models/.work --out models/raqib-small \
      [--weak models/.work/weak.jsonl] [--fixtures test/fixtures/ngram-parity.jsonl]
"""
import argparse
import json
import os
import re
import time
import zlib

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from common import LABEL_NAMES, read_jsonl, write_json

BUCKETS = 1 << 20
FORMAT = "raqib-ngram/1"


LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def ngrams(text, min_n, max_n):
    out = []
    # a str from JSON may hold a lone surrogate (no UTF-8 form): it counts as U+FFFD, as TextEncoder does
    for w in LONE_SURROGATE.sub("\ufffd", text).split(" "):
        if not w:
            continue
        w = " " + w + " "
        L = len(w)
        for n in range(min_n, max_n + 1):
            if L <= n:
                out.append(w)
                break
            for i in range(L - n + 1):
                out.append(w[i:i + n])
    return out


def buckets(text, min_n, max_n, nb=BUCKETS):
    return sorted({zlib.crc32(g.encode("utf-8")) % nb for g in ngrams(text, min_n, max_n)})


def matrix(texts, min_n, max_n):
    indptr, indices = [0], []
    for t in texts:
        b = buckets(t, min_n, max_n)
        indices.extend(b)
        indptr.append(len(indices))
    data = np.ones(len(indices), dtype=np.float64)
    return sp.csr_matrix((data, np.array(indices, dtype=np.int64), np.array(indptr)), shape=(len(texts), BUCKETS))


def idf_of(x):
    df = np.bincount(x.indices, minlength=BUCKETS)
    n = x.shape[0]
    return np.log((1 + n) / (1 + df)) + 1.0


def weighted(x, idf):
    x = x.multiply(idf.reshape(1, -1)).tocsr()
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ x


def quantise(clf, idf):
    idf_max = float(idf.max())
    idf_q = np.clip(np.round((idf - 1.0) / (idf_max - 1.0) * 255.0), 0, 255).astype(np.uint8)
    idf_dq = 1.0 + idf_q.astype(np.float64) * (idf_max - 1.0) / 255.0
    v = clf.coef_ * idf_dq.reshape(1, -1)  # idf folded in: logit = b + sum_j v_j / norm over present j
    scales = np.abs(v).max(axis=1) / 127.0
    w_q = np.clip(np.round(v / scales.reshape(-1, 1)), -127, 127).astype(np.int8)
    return {"idf_q": idf_q, "idf_max": idf_max, "w_q": w_q, "scales": scales, "bias": clf.intercept_.astype(np.float64)}


class QuantisedNgram:
    """The shipped arithmetic (what src/ngram/classifier.ts does), in float64."""

    def __init__(self, q, min_n, max_n):
        self.q, self.min_n, self.max_n = q, min_n, max_n
        self.idf = 1.0 + q["idf_q"].astype(np.float64) * (q["idf_max"] - 1.0) / 255.0
        self.w = q["w_q"].astype(np.float64) * q["scales"].reshape(-1, 1)

    def logits(self, text):
        b = buckets(text, self.min_n, self.max_n)
        if not b:
            return self.q["bias"].copy()
        norm = np.sqrt(np.sum(self.idf[b] ** 2))
        return self.q["bias"] + self.w[:, b].sum(axis=1) / norm

    def proba(self, text):
        z = self.logits(text)
        e = np.exp(z - z.max())
        return e / e.sum()


CARD_HEADING = "## The character n-gram model (`ngram.json`, `ngram.bin`)"


def write_card_section(out, min_n, max_n, c, f1, qf1, results, rows):
    """Writes (or replaces) the n-gram model's section of MODEL_CARD.md, before the hand-added measured one."""
    path = os.path.join(out, "MODEL_CARD.md")
    if not os.path.exists(path):
        return
    grid = "; ".join(f"{r['n'][0]}–{r['n'][1]}, C {r['C']:g}: {r['dev_macro_f1']:.4f}" for r in results)
    section = (
        f"{CARD_HEADING}\n"
        "A second model ships in this directory and is fused with the encoder and the lexicons: a multinomial\n"
        "logistic regression over hashed character n-grams of the same model text (written by\n"
        "`scripts/train/ngram.py`, run by `src/ngram/`). Each word, padded with spaces, gives its runs of\n"
        f"{min_n} to {max_n} code points; each run is hashed (CRC-32 of its UTF-8 bytes) into {BUCKETS:,} buckets;\n"
        "features are binary, idf-weighted and L2-normalised. Weights are int8 with one scale per label (idf\n"
        f"folded in), idf uint8: `ngram.bin` is {BUCKETS * 4 / 2**20:.0f} MB. Trained on the encoder's training rows\n"
        f"({rows} with the weak positives), L2 strength C = {c:g}, chosen on dev macro-F1 ({grid}).\n"
        f"Dev macro-F1 {f1:.4f} in float, {qf1:.4f} as shipped (quantised). Because it is linear in its\n"
        "n-grams, the words that drove a flagged record are named exactly (evidence `model.<dir>/ngram`).\n"
        "It learns surface vocabulary: a word the corpus used mostly in propaganda (\"brothers\", a caption's\n"
        "\"banner\") pushes towards propaganda wherever it appears; `data/README.md` (round tdS–tdW) says how\n"
        "the corpus was balanced for that, and `scripts/train/README.md` why this model was added.\n"
    )
    text = open(path, encoding="utf-8").read()
    if CARD_HEADING in text:
        start = text.index(CARD_HEADING)
        nxt = text.find("\n## ", start + 1)
        text = text[:start] + section + ("\n" + text[nxt + 1:] if nxt >= 0 else "")
    else:
        at = text.find("## Measured with raqib eval")
        text = text[:at] + section + "\n" + text[at:] if at >= 0 else text.rstrip("\n") + "\n\n" + section
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(text)


def load(path, keep_augmented=True, only_lang=None, weight=1.0):
    rows = [r for r in read_jsonl(path) if (keep_augmented or not r.get("augmented")) and (only_lang is None or r.get("lang") == only_lang)]
    return [r["text"] for r in rows], np.array([r["label"] for r in rows]), np.full(len(rows), weight)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--weak", help="weak positives from export-inputs --weak (only its Arabic-script rows are used, as for the encoder)")
    ap.add_argument("--weak-weight", type=float, default=0.5)
    ap.add_argument("--grid", default="2-5:10,2-5:30,2-5:100,2-6:30", help="n range and C candidates, chosen by dev macro-F1")
    ap.add_argument("--fixtures", help="write a parity fixture (texts with reference probabilities) here")
    ap.add_argument("--finish-only", action="store_true", help="no training: from the ngram.json/.bin in --out, (re)write the model-card section and the fixture")
    a = ap.parse_args()
    if not a.finish_only:
        train(a)
    finish(a)


def train(a):

    xs, ys, ws = load(os.path.join(a.inputs, "train.jsonl"))
    if a.weak and os.path.exists(a.weak):
        wx, wy, ww = load(a.weak, only_lang="weak-ar", weight=a.weak_weight)
        xs, ys, ws = xs + wx, np.concatenate([ys, wy]), np.concatenate([ws, ww])
        print(f"weak positives: {len(wx)} Arabic-script rows at weight {a.weak_weight}")
    dx, dy, _ = load(os.path.join(a.inputs, "dev.jsonl"), keep_augmented=False)
    print(f"train {len(xs)} rows, dev {len(dx)} rows (originals)")

    results, best = [], None
    cache = {}
    for cand in a.grid.split(","):
        rng, c = cand.split(":")
        min_n, max_n = (int(v) for v in rng.split("-"))
        t0 = time.time()
        if (min_n, max_n) not in cache:
            xt = matrix(xs, min_n, max_n)
            idf = idf_of(xt)
            cache[(min_n, max_n)] = (idf, weighted(xt, idf), weighted(matrix(dx, min_n, max_n), idf))
        idf, xt, xd = cache[(min_n, max_n)]
        clf = LogisticRegression(C=float(c), max_iter=3000).fit(xt, ys, sample_weight=ws)
        f1 = f1_score(dy, clf.predict(xd), average="macro")
        results.append({"n": [min_n, max_n], "C": float(c), "dev_macro_f1": round(float(f1), 4), "seconds": round(time.time() - t0, 1)})
        print(json.dumps(results[-1]), flush=True)
        if best is None or f1 > best[0]:
            best = (f1, min_n, max_n, float(c), clf, idf)

    f1, min_n, max_n, c, clf, idf = best
    q = quantise(clf, idf)
    ref = QuantisedNgram(q, min_n, max_n)
    qpred = np.array([int(np.argmax(ref.proba(t))) for t in dx])
    qf1 = f1_score(dy, qpred, average="macro")
    print(f"chosen n={min_n}-{max_n} C={c}: dev macro-F1 {f1:.4f} float, {qf1:.4f} quantised")

    os.makedirs(a.out, exist_ok=True)
    # ngram.bin: idf (BUCKETS uint8) then weights (labels × BUCKETS int8), little-endian, no header
    with open(os.path.join(a.out, "ngram.bin"), "wb") as fh:
        fh.write(q["idf_q"].tobytes())
        fh.write(q["w_q"].tobytes())
    write_json(os.path.join(a.out, "ngram.json"), {
        "format": FORMAT,
        "labels": LABEL_NAMES,
        "buckets": BUCKETS,
        "min_n": min_n,
        "max_n": max_n,
        "hash": "crc32(utf-8) mod buckets",
        "idf_max": q["idf_max"],
        "scales": [float(s) for s in q["scales"]],
        "bias": [float(b) for b in q["bias"]],
        "C": c,
        "dev_macro_f1": {"float": round(float(f1), 4), "quantised": round(float(qf1), 4)},
        "selection": results,
        "rows": len(xs),
        "trained_on": f"{len(xs)} rows: corpus train + augmented" + (" + weak Arabic-script Fifth Tribe rows" if a.weak else ""),
    })
    print(f"wrote {a.out}/ngram.json and ngram.bin ({os.path.getsize(os.path.join(a.out, 'ngram.bin'))} bytes)")


def load_shipped(out):
    """The model as written to OUT (what TypeScript reads), with its metadata."""
    meta = json.load(open(os.path.join(out, "ngram.json"), encoding="utf-8"))
    raw = np.fromfile(os.path.join(out, "ngram.bin"), dtype=np.uint8)
    nb, k = meta["buckets"], len(meta["labels"])
    if raw.size != nb * (1 + k):
        raise SystemExit(f"{out}/ngram.bin: {raw.size} bytes, expected {nb * (1 + k)}")
    q = {"idf_q": raw[:nb], "idf_max": meta["idf_max"], "w_q": raw[nb:].view(np.int8).reshape(k, nb),
         "scales": np.array(meta["scales"]), "bias": np.array(meta["bias"])}
    return meta, QuantisedNgram(q, meta["min_n"], meta["max_n"])


def finish(a):
    meta, ref = load_shipped(a.out)
    min_n, max_n = meta["min_n"], meta["max_n"]
    write_card_section(a.out, min_n, max_n, meta["C"], meta["dev_macro_f1"]["float"], meta["dev_macro_f1"]["quantised"], meta["selection"], meta.get("rows", 0))
    if a.fixtures:
        # the parity strings: dev texts in every language plus edge cases of the featuriser
        by_lang = {}
        for r in read_jsonl(os.path.join(a.inputs, "dev.jsonl")):
            if len(by_lang.setdefault(r["lang"], [])) < 12:
                by_lang[r["lang"]].append(r["text"])
        edge = ["", " ", "a", "[T] x", "[D] ab", "[T] 😀👍🏽 [D] ﷽", "[X] " + "داعش " * 200, "[D] a\u0301b \u200dc", "[A] rarity: legendary"]
        texts = edge + [t for ts in by_lang.values() for t in ts]
        with open(a.fixtures, "w", encoding="utf-8") as fh:
            for t in texts:
                fh.write(json.dumps({"text": t, "buckets": len(buckets(t, min_n, max_n)), "probs": [float(p) for p in ref.proba(t)]}, ensure_ascii=False) + "\n")
        print(f"wrote {len(texts)} parity strings to {a.fixtures}")


if __name__ == "__main__":
    main()
