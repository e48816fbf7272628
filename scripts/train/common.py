"""Shared constants and helpers of raqib's training pipeline (Debian's /usr/bin/python3)."""
import json
import os
import random

import numpy as np

LABEL_NAMES = ["propaganda", "about_extremism", "benign"]
CATEGORY_NAMES = ["glorification", "recruitment", "fundraising", "instructional", "branding", "threat"]
OUTPUT_NAMES = LABEL_NAMES + ["category:" + c for c in CATEGORY_NAMES]
MARKERS = ["[T]", "[D]", "[A]", "[C]", "[X]"]
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PAD_ID, UNK_ID, CLS_ID, SEP_ID, MASK_ID = 0, 1, 2, 3, 4
MAX_LENGTH = 128
SEED = 1234

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def write_json(path, obj, indent=2):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=indent)
        f.write("\n")


def seed_everything(seed=SEED):
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
