"""Writes models/<name>/MODEL_CARD.md from the export summary (so the card always matches the files)."""
import os

from common import CATEGORY_NAMES, LABEL_NAMES

LANG_NAMES = {
    "ar": "Arabic (MSA and dialects, Arabic script)", "ar-Latn": "Arabizi (Arabic in Latin letters)",
    "de": "German", "en": "English", "es": "Spanish", "fa": "Persian / Dari", "fr": "French", "ha": "Hausa",
    "id": "Indonesian", "ja": "Japanese", "ko": "Korean", "zh": "Chinese", "ms": "Malay", "mul": "mixed-language records", "ps": "Pashto", "ru": "Russian",
    "so": "Somali", "tr": "Turkish", "ur": "Urdu (Arabic script and Roman Urdu)",
}


def _f(x, nd=3):
    return "–" if x is None else f"{x:.{nd}f}"


def write_model_card(out_dir, s):
    cfg = s["dev_q8"]
    tr = s["training"]
    a = tr["args"]
    c = s["calibration"]
    rows = []
    for lang, m in cfg["per_language"].items():
        m32 = s["dev_fp32"]["per_language"][lang]
        rows.append(f"| {lang} | {LANG_NAMES.get(lang, lang)} | {m['n']} | {m['n_propaganda']} | {_f(m['macro_f1'])} | "
                    f"{_f(m['propaganda_recall'])} | {_f(m['false_flag_rate'])} | {_f(m32['macro_f1'])} |")
    props = [m["n_propaganda"] for m in cfg["per_language"].values() if m["n_propaganda"]]
    size_mb = {k: v / 1e6 for k, v in s["files"].items()}
    n_weak = tr.get("weak_rows", 0)
    weak_line = (
        f"- Weak positives: {n_weak} tweets from the training half (by id hash, `scripts/train/weak.ts`) of the\n"
        f"  **CC0** Fifth Tribe set \"How ISIS Uses Twitter\" (read at training time from `../shared`, never\n"
        f"  committed): its Arabic-script tweets (and {a.get('weak_max_latin')} Latin-script ones), as propaganda at loss\n"
        f"  weight {a.get('weak_weight')} and with no category, because the label is the account's, not the tweet's. The\n"
        f"  other half is never trained on; `npm run eval` measures recall there."
        if n_weak else
        "- No weak positives in this build (the CC0 Fifth Tribe tweets were not given to `run.sh`)."
    )
    text = f"""# raqib-small

A small multilingual encoder that reads one NFT record (its fields behind the markers `[T]` title,
`[D]` description, `[A]` attributes, `[C]` caption/OCR, `[X]` other, in raqib's normalisation) and
returns 9 logits: `propaganda`, `about_extremism`, `benign` (softmax) and, for propaganda, the six
categories {", ".join(CATEGORY_NAMES)} (independent sigmoids). It is one signal inside raqib, next to
the lexicons and context rules, and was trained from scratch for raqib (no pretrained weights).

| | |
|---|---|
| architecture | BERT-like encoder, hidden {s['training']['args']['hidden']}, {a['layers']} layers, {a['heads']} heads, FFN {a['ffn']}, GELU, post-LayerNorm; masked-mean pooling + tanh dense; {s['parameters'] / 1e6:.2f} M parameters |
| tokenizer | SentencePiece Unigram, {s['vocab_size']} pieces (identity normalisation; `tokenizer.json` adds NFKC + whitespace folding), max {s['max_length']} tokens incl. `[CLS]`/`[SEP]` |
| files | `onnx/model.onnx` fp32 {size_mb['model.onnx']:.1f} MB; `onnx/model_quantized.onnx` int8 weights {size_mb['model_quantized.onnx']:.1f} MB |
| int8 | weight-only: int8 initializers with per-column (MatMul) / per-row (embeddings) scales, Cast+Mul in front; activations stay float32, so a record's score does not depend on its batch (max difference alone vs batched on dev: {s['max_prob_diff_q8_alone_vs_batched']:.1e}) |
| int8 vs fp32 | max probability difference on dev {s['max_prob_diff_q8_vs_fp32']:.4f} (labels {s['max_prob_diff_q8_vs_fp32_labels']:.4f}) |
| calibration | `calibration.json`: temperature {c['temperature']:.3f} for the 3-way softmax (int8; fp32 {c['temperature_fp32']:.3f}), fitted on dev; dev NLL {c['dev']['q8']['nll']:.3f} → {c['dev']['q8']['nll_calibrated']:.3f}, ECE {c['dev']['q8']['ece']:.3f} → {c['dev']['q8']['ece_calibrated']:.3f} |

## Intended use
Local, offline triage of NFT metadata (titles, descriptions, attributes, captions, OCR text) for
violent-extremist propaganda, as one input to raqib's fused, calibrated score that a human reviewer
checks together with the evidence. Not intended: decisions about people without review, general hate
speech or news classification, long documents (one window is {s['max_length']} tokens; callers window longer
text), or any language/script it was not trained on.

## Training data and licences
- raqib's own corpus: `data/corpus/train.jsonl` plus its augmented copies
  (`train.augmented.jsonl`) — **synthetic, written for raqib** by language-model helper sessions, read
  back and checked (see `data/README.md`), released with raqib under Apache-2.0.
  {s['n_train']} training rows ({s['n_train_augmented']} of them augmented copies), plus {a.get('noise_benign', 0)} generated
  benign rows with no language in them ([UNK] runs, digits, punctuation, emoji).
{weak_line}
- Model selection (epoch), the temperature and the metrics below use `dev.jsonl` (+ augmented), {s['n_dev']}
  rows. The test split was never read by the training pipeline.
- Not used: the research-licensed Alfifi tweets and SaudiNewsNet (evaluation only), the NFT metadata
  collections (no licence; evaluation only), the language-ID test strings.

## Languages
{", ".join(f"{LANG_NAMES.get(k, k)} (`{k}`)" for k in cfg["per_language"])}. Scripts seen in training:
Latin, Arabic (with Persian, Urdu and Pashto letters), Cyrillic, emoji, and Japanese, Chinese and
Korean only as benign or reporting NFT metadata (so that such listings are not read as propaganda; the
model knows no propaganda in them). Characters never seen in training become `[UNK]` (runs fuse into
one); the model was trained with {a['unk_noise'] * 100:g} % random `[UNK]` noise and with generated benign rows of `[UNK]`,
digits and emoji, so that unknown text reads as "unknown" (Devanagari, Hebrew, Thai, …).

## Dev metrics (int8 graph as shipped; argmax of the 3 labels)
Macro-F1 over the three labels: **{cfg['macro_f1']:.4f}** (fp32 {s['dev_fp32']['macro_f1']:.4f}); accuracy
{cfg['accuracy']:.4f}; per label F1 {", ".join(f"{k} {v:.3f}" for k, v in cfg['per_label_f1'].items())}; category
top-1 on propaganda rows {_f(cfg.get('category_top1'))}.

| lang | language | dev rows | propaganda | macro-F1 | propaganda recall | false flags (about+benign) | macro-F1 fp32 |
|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Dev cells are small ({min(props)}–{max(props)} propaganda rows per language): one record moves recall by
{100 / max(props):.0f}–{100 / min(props):.0f} points.
Test-split and real-data figures come from `raqib eval` (EVALUATION.md), not from this card.

## Limits
- Trained on synthetic text written by language models; real propaganda is noisier, more templated and
  uses slang and images the corpus does not have. Expect lower recall on real data than on dev.
- {s['max_length']} tokens per window; small vocabulary ({s['vocab_size']}); scripts outside the training set are `[UNK]`.
- Labels in borderline cases (quoted slogans in news, memorials, "shahid" for civilians) follow
  `data/README.md`; the model learned the writers' conventions, which a second annotator has not checked.
- Adversarial spellings are handled by raqib's normaliser before the model and by augmentation; new
  tricks will get through.
- Dev was used for early stopping and calibration, so dev figures are slightly optimistic. Dev also
  shares its writers with train: text by other writers is flagged more often when it only looks like
  propaganda (with whole writers held out, `scripts/train/writer-cv.py`, the n-gram model flags 4–8 %
  of a writer's look-alikes, against 2–3 % on dev).

## Training
AdamW (lr {a['lr']}, weight decay {a['weight_decay']}, warmup {a['warmup']}, linear decay), batch {a['batch']},
dropout {a['dropout']}, label smoothing {a['label_smoothing']}, category BCE weight {a['category_weight']} (propaganda
rows only), `[UNK]` noise {a['unk_noise']}, weight EMA {a.get('ema', 0)} per step (the averaged weights are
evaluated and shipped), seed {a['seed']} (the candidates trained and why this one ships: `scripts/train/README.md`,
"Experiments"); best epoch {tr['best_epoch']} of {tr['epochs_run']} (early
stopping on dev macro-F1, patience {a['patience']}); {tr['train_wall_seconds'] / 60:.1f} min on 2 CPU cores.

## How to rebuild
```sh
apt-get install -y python3-torch python3-onnx python3-sentencepiece python3-sklearn python3-numpy python3-scipy
bash scripts/train/run.sh          # export-inputs (node) -> tokenizer -> train -> export/int8 -> fixtures
```
See `scripts/train/README.md` for the steps, the sizes that were measured and the parity fixtures.
"""
    with open(os.path.join(out_dir, "MODEL_CARD.md"), "w", encoding="utf-8") as f:
        f.write(text)
