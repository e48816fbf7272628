"""SentencePiece Unigram tokenizer for raqib, and its hand-written Hugging Face `tokenizer.json`.

One normalisation, two implementations that must agree:
  * `tokenizer.json` (read by transformers.js): normalizer Sequence[NFKC, Replace(whitespace class -> " "),
    Strip], pre_tokenizer Metaspace(prepend "always", no split), model Unigram, TemplateProcessing
    [CLS] $A [SEP], the five specials as added tokens (split out of the raw text before normalising).
  * `encode()` here: the same steps in Python (NFKC, the same explicit character class, strip of
    U+0020 only) and then the SentencePiece model itself, which was trained with the `identity` rule so
    that it changes nothing else.
`hf_encode()` re-implements the transformers.js (@huggingface/tokenizers) Unigram lattice in Python so
that `verify` can check, without Node, that the two agree on every training/dev/test text plus edge
cases.

  /usr/bin/python3 scripts/train/tokenizer.py train  --inputs models/.work --out models/raqib-small --vocab 12000
  /usr/bin/python3 scripts/train/tokenizer.py verify --inputs models/.work --out models/raqib-small
"""
import argparse
import json
import os
import re
import sys
import unicodedata

import sentencepiece as spm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (  # noqa: E402
    CLS_ID,
    MARKERS,
    MAX_LENGTH,
    SEED,
    SEP_ID,
    SPECIALS,
    UNK_ID,
    read_jsonl,
    write_json,
)

# Every character that Unicode calls White_Space, plus what JavaScript's \s / trim() also strips
# (U+FEFF), plus SentencePiece's own meta symbol U+2581 (so user text can never forge it). Written as an
# explicit class because Python's and JavaScript's \s differ (notes, pitfall 7).
WS_CHARS = (
    "\t\n\u000b\u000c\r \u0085\u00a0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000\ufeff\u2581"
)
WS_PATTERN = "[" + WS_CHARS + "]+"
WS_RE = re.compile(WS_PATTERN)
SPECIAL_SPLIT_RE = re.compile("(" + "|".join(re.escape(s) for s in SPECIALS) + ")")
# SentencePiece gives a user-defined symbol the lattice score `length * max_score - 0.1`, where
# max_score starts at FLT_MIN and all piece scores are negative: i.e. -0.1 (verified by `verify`).
MARKER_SCORE = -0.1


def normalize(text):
    """The tokenizer.json normalizer, in Python: NFKC, whitespace class -> one space, strip."""
    text = unicodedata.normalize("NFKC", text)
    text = WS_RE.sub(" ", text)
    return text.strip(" ")


class SentencePieceTokenizer:
    """The SentencePiece model with the tokenizer.json normalisation in front (for comparison only:
    on exact score ties, e.g. '....' = '...'+'.' or '.'+'...', float32 SentencePiece and the float64
    transformers.js lattice may choose differently)."""

    def __init__(self, model_file):
        self.sp = spm.SentencePieceProcessor(model_file=model_file)

    def encode_plain(self, text):
        """Ids without specials (added tokens in the raw text are split out first, like transformers.js)."""
        ids = []
        for i, section in enumerate(SPECIAL_SPLIT_RE.split(text)):
            if i % 2 == 1:
                ids.append(SPECIALS.index(section))
                continue
            norm = normalize(section)
            if norm:
                ids.extend(self.sp.encode(norm))
        return ids

    def encode(self, text, max_length=MAX_LENGTH):
        """[CLS] ids [SEP], then truncated to max_length (transformers.js truncates after adding specials)."""
        ids = [CLS_ID] + self.encode_plain(text) + [SEP_ID]
        return ids[:max_length]

    def vocab_size(self):
        return self.sp.get_piece_size()


def train_sentencepiece(texts, prefix, vocab_size):
    path = prefix + ".txt"
    with open(path, "w", encoding="utf-8") as f:
        for t in texts:
            n = normalize(t)
            if n:
                f.write(n + "\n")
    if hasattr(spm, "set_random_generator_seed"):
        spm.set_random_generator_seed(SEED)
    spm.SentencePieceTrainer.train(
        input=path,
        model_prefix=prefix,
        model_type="unigram",
        vocab_size=vocab_size,
        character_coverage=1.0,
        normalization_rule_name="identity",
        add_dummy_prefix=True,
        remove_extra_whitespaces=True,
        byte_fallback=False,
        split_digits=True,
        pad_id=0,
        unk_id=1,
        bos_id=2,
        eos_id=3,
        pad_piece="[PAD]",
        unk_piece="[UNK]",
        bos_piece="[CLS]",
        eos_piece="[SEP]",
        control_symbols=["[MASK]"],
        user_defined_symbols=MARKERS,
        input_sentence_size=0,
        shuffle_input_sentence=False,
        num_threads=1,
        minloglevel=2,
    )
    return prefix + ".model"


def hf_tokenizer_json(model_file):
    sp = spm.SentencePieceProcessor(model_file=model_file)
    vocab = []
    for i in range(sp.get_piece_size()):
        piece = sp.id_to_piece(i)
        if i < len(SPECIALS):
            assert piece == SPECIALS[i], (i, piece)
            score = 0.0
        elif piece in MARKERS:
            assert sp.is_unknown(i) is False
            score = MARKER_SCORE
        else:
            score = float(sp.get_score(i))
        vocab.append([piece, score])
    assert [sp.piece_to_id(m) for m in MARKERS] == list(range(5, 10))
    added = [
        {
            "id": i,
            "content": s,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        for i, s in enumerate(SPECIALS)
    ]
    metaspace = {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": False}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {
            "type": "Sequence",
            "normalizers": [
                {"type": "NFKC"},
                {"type": "Replace", "pattern": {"Regex": WS_PATTERN}, "content": " "},
                {"type": "Strip", "strip_left": True, "strip_right": True},
            ],
        },
        "pre_tokenizer": metaspace,
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}},
            ],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [CLS_ID], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [SEP_ID], "tokens": ["[SEP]"]},
            },
        },
        "decoder": metaspace,
        "model": {"type": "Unigram", "unk_id": UNK_ID, "vocab": vocab, "byte_fallback": False},
    }


def write_hf_files(model_file, out_dir):
    write_json(os.path.join(out_dir, "tokenizer.json"), hf_tokenizer_json(model_file), indent=None)
    write_json(
        os.path.join(out_dir, "tokenizer_config.json"),
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            "model_max_length": MAX_LENGTH,
            "padding_side": "right",
            "truncation_side": "right",
            "do_lower_case": False,
            "clean_up_tokenization_spaces": False,
            "unk_token": "[UNK]",
            "pad_token": "[PAD]",
            "cls_token": "[CLS]",
            "sep_token": "[SEP]",
            "mask_token": "[MASK]",
            "model_input_names": ["input_ids", "attention_mask", "token_type_ids"],
        },
    )
    write_json(
        os.path.join(out_dir, "special_tokens_map.json"),
        {"unk_token": "[UNK]", "pad_token": "[PAD]", "cls_token": "[CLS]", "sep_token": "[SEP]", "mask_token": "[MASK]"},
    )


# ---------------------------------------------------------------------------------------------
# A Python re-implementation of @huggingface/tokenizers' (transformers.js v4) encode path for this
# tokenizer.json: added-token split on the raw text, normalizer, Metaspace, Unigram lattice (scores
# as doubles, first-best on ties, unknown chars scored min-10, consecutive unknowns fused), template.
# ---------------------------------------------------------------------------------------------
class Tokenizer:
    """THE Python tokenizer of raqib: ids exactly as transformers.js computes them from tokenizer.json."""

    def __init__(self, tokenizer_json):
        if isinstance(tokenizer_json, str):
            with open(tokenizer_json, encoding="utf-8") as f:
                tokenizer_json = json.load(f)
        tj = tokenizer_json
        self.vocab = [p for p, _ in tj["model"]["vocab"]]
        self.scores = [s for _, s in tj["model"]["vocab"]]
        self.unk_id = tj["model"]["unk_id"]
        self.tok2id = {p: i for i, p in enumerate(self.vocab)}
        self.min_score = min(self.scores)
        self.unk_score = self.min_score - 10.0
        self.scores[self.unk_id] = self.unk_score
        self.max_len = max(len(p) for p in self.vocab)
        norm = tj["normalizer"]["normalizers"]
        assert norm[0]["type"] == "NFKC" and norm[1]["pattern"]["Regex"] == WS_PATTERN

    def _js_normalize(self, text):
        text = unicodedata.normalize("NFKC", text)
        text = WS_RE.sub(" ", text)
        # JavaScript trim(): after the Replace above only U+0020 of its set can remain.
        return text.strip(" \t\n\u000b\u000c\r\u00a0\ufeff\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
                          "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")

    def _viterbi(self, s):
        chars = list(s)
        n = len(chars)
        # begin_nodes / end_nodes with insertion order as in TokenLattice
        end_nodes = [[] for _ in range(n + 1)]
        begin_nodes = [[] for _ in range(n + 1)]
        nodes = []  # [pos, length, score, id, backtrace, prev]
        bos = [0, 0, 0.0, None, 0.0, None]
        end_nodes[0].append(bos)
        for pos in range(n):
            has_single = False
            for ln in range(1, min(self.max_len, n - pos) + 1):
                piece = "".join(chars[pos:pos + ln])
                tid = self.tok2id.get(piece)
                if tid is None:
                    continue
                node = [pos, ln, self.scores[tid], tid, 0.0, None]
                begin_nodes[pos].append(node)
                end_nodes[pos + ln].append(node)
                if ln == 1:
                    has_single = True
            if not has_single:
                node = [pos, 1, self.unk_score, self.unk_id, 0.0, None]
                begin_nodes[pos].append(node)
                end_nodes[pos + 1].append(node)
        eos = [n, 0, 0.0, None, 0.0, None]
        begin_nodes[n].append(eos)
        for pos in range(n + 1):
            for r in begin_nodes[pos]:
                best, best_score = None, 0.0
                for l in end_nodes[pos]:
                    sc = l[4] + r[2]
                    if best is None or sc > best_score:
                        best, best_score = l, sc
                r[5], r[4] = best, best_score
        out = []
        node = eos[5]
        while node is not None and node[5] is not None:
            out.append("".join(chars[node[0]:node[0] + node[1]]))
            node = node[5]
        out.reverse()
        return out

    def _fuse_unk(self, toks):
        fused = []
        i = 0
        while i < len(toks):
            fused.append(toks[i])
            if self.tok2id.get(toks[i], self.unk_id) != self.unk_id:
                i += 1
                continue
            i += 1
            while i < len(toks) and self.tok2id.get(toks[i], self.unk_id) == self.unk_id:
                fused[-1] += toks[i]
                i += 1
        return fused

    def encode(self, text, max_length=MAX_LENGTH):
        toks = []
        for i, section in enumerate(SPECIAL_SPLIT_RE.split(text)):
            if i % 2 == 1:
                toks.append(section)
                continue
            if not section:
                continue
            norm = self._js_normalize(section)
            if not norm:
                continue
            norm = norm.replace(" ", "\u2581")
            if not norm.startswith("\u2581"):
                norm = "\u2581" + norm
            toks.extend(self._fuse_unk(self._viterbi(norm)))
        ids = [CLS_ID] + [self.tok2id.get(t, self.unk_id) for t in toks] + [SEP_ID]
        return ids[:max_length]


def edge_cases():
    """Strings that stress the normaliser and the lattice (also used by the parity fixtures)."""
    long_en = " ".join(["[D] glory to the martyrs of the caliphate, share this card with every brother"] * 12)
    return [
        "",
        "[T]",
        "[T] [D] [A] [C] [X]",
        "[T]   [D]",
        "   ",
        "\u00a0\u2003\ufeff",
        "[T] " + "x" * 300,
        long_en,
        "[T] " + " ".join(str(i) for i in range(200)),
        "[T] lion of the caliphate 🦁🔥 [D] 👨‍👩‍👧 family 🏳️‍🌈 ✊🏽 #1/100",
        "[T] zwj\u200djoiner zw\u200cnon-joiner zw\u200bspace word\u2060joiner",
        "[T] [cls] literal [sep] [mask] [pad] [unk] tokens in lower case",
        "[T] [CLS] upper case special [SEP] inside text",
        "[D] مُحَمَّدٌ رَسُولُ اللَّهِ وَالَّذِينَ مَعَهُ أَشِدَّاءُ عَلَى الْكُفَّارِ",
        "[D] الخـــــــلافة باقية ـــ تتمدد",
        "[D] ﷺ ﷲ ﻻ ﻹ ﺍﻟﺨﻼﻓﺔ presentation forms",
        "[T] mixed النصر pobeda победа zafer ظفر ur: فتح 2024",
        "[T] digits 0123456789 ٠١٢٣٤٥٦٧٨٩ ۰۱۲۳۴۵۶۷۸۹ ①②③ ¹²³ ½",
        "[T] wallet 0x000000000000000000000000000000000000dEaD [A] edition: 1/1",
        "[T] ▁meta▁symbol ▁ and\ttabs\nnewlines\r\nand\u2028separators\u3000ideographic",
        "[T] ｆｕｌｌｗｉｄｔｈ ＡＢＣ ｶﾀｶﾅ",
        "[T] 日本語のテキスト 中文文本 한국어 텍스트 עברית हिन्दी বাংলা ไทย ελληνικά",
        "[T] ﬁ ﬂ ligatures ŉ ǆ ℌ ℍ ™ ℃ ㎏",
        "[T] a\u0301 e\u0300 combining marks ç̧",
        "[X] [[T]] [t] [d] [T][D][A] ][ [",
        "[T] \U0001d400\U0001d401 math bold \U0001f1f8\U0001f1e6 flags \U000e0067 tag",
        "[T] " + "ـ" * 40,
        "[T] " + "🔥" * 150,
        "[C] ' \" ` ~ ! @ # $ % ^ & * ( ) _ + - = { } | \\ : ; < > ? , . /",
        "[T] ħ ŧ ɓ ɗ ƙ ƴ ş ğ ı İ ä ö ü ß ñ é è ê œ æ ø å",
        "[T] پشتو ګ ځ ښ ږ ټ ډ ړ ڼ ۍ ې ی ئ ۀ ك ي ى ة",
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["train", "verify"])
    ap.add_argument("--inputs", required=True, help="directory with train/dev/test.jsonl")
    ap.add_argument("--out", required=True, help="model directory")
    ap.add_argument("--work", default=None, help="directory for the .model file (default: inputs)")
    ap.add_argument("--vocab", type=int, default=12000)
    args = ap.parse_args()
    work = args.work or args.inputs
    prefix = os.path.join(work, "spm")
    if args.cmd == "train":
        os.makedirs(work, exist_ok=True)
        texts = [r["text"] for r in read_jsonl(os.path.join(args.inputs, "train.jsonl"))]
        model_file = train_sentencepiece(texts, prefix, args.vocab)
        write_hf_files(model_file, args.out)
        tok = Tokenizer(os.path.join(args.out, "tokenizer.json"))
        lens = sorted(len(tok.encode(t, max_length=10**6)) for t in texts)
        print(
            f"tokenizer: vocab {len(tok.vocab)}, train tokens/text (with specials) median {lens[len(lens) // 2]}, "
            f"p95 {lens[int(len(lens) * 0.95)]}, max {lens[-1]}, >{MAX_LENGTH}: {sum(x > MAX_LENGTH for x in lens)}"
        )
    else:
        sp_tok = SentencePieceTokenizer(prefix + ".model")
        tok = Tokenizer(os.path.join(args.out, "tokenizer.json"))
        texts = edge_cases()
        for split in ("train", "dev", "test"):
            p = os.path.join(args.inputs, f"{split}.jsonl")
            if os.path.exists(p):
                texts += [r["text"] for r in read_jsonl(p)]
        bad = [t for t in texts if sp_tok.encode(t) != tok.encode(t)]
        unk = sum(UNK_ID in tok.encode(t) for t in texts)
        print(f"tokenizer: sentencepiece and tokenizer.json (transformers.js lattice) agree on "
              f"{len(texts) - len(bad)}/{len(texts)} strings; {unk} strings contain [UNK]")
        for t in bad[:3]:
            print("  tie-break difference:", repr(t[:100]))
            print("   sentencepiece :", [sp_tok.sp.id_to_piece(i) for i in sp_tok.encode(t)][:60])
            print("   tokenizer.json:", [tok.vocab[i] for i in tok.encode(t)][:60])


if __name__ == "__main__":
    main()
