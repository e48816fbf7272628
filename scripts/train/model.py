"""raqib's small BERT-like encoder in plain PyTorch (exportable to ONNX opset 17).

Inputs: input_ids, attention_mask, token_type_ids (int64, [batch, seq]); output: `logits` [batch, 9] =
3 label logits (softmax: propaganda, about_extremism, benign) + 6 category logits (sigmoid:
glorification, recruitment, fundraising, instructional, branding, threat). Pooling is the masked mean
of the last layer followed by a tanh dense layer, so padding never changes a record's result.
"""
import math

import torch
from torch import nn

N_LABELS = 3
N_CATEGORIES = 6


class EncoderConfig:
    def __init__(self, vocab_size, hidden=256, layers=4, heads=4, ffn=1024, max_position=128,
                 type_vocab=2, dropout=0.1, attention_dropout=0.1, layer_norm_eps=1e-12):
        self.vocab_size = vocab_size
        self.hidden = hidden
        self.layers = layers
        self.heads = heads
        self.ffn = ffn
        self.max_position = max_position
        self.type_vocab = type_vocab
        self.dropout = dropout
        self.attention_dropout = attention_dropout
        self.layer_norm_eps = layer_norm_eps

    def to_dict(self):
        return dict(self.__dict__)

    @classmethod
    def from_dict(cls, d):
        return cls(**d)

    def name(self):
        return f"H{self.hidden}-L{self.layers}-A{self.heads}-F{self.ffn}-V{self.vocab_size}"


class SelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.heads = c.heads
        self.head_dim = c.hidden // c.heads
        self.query = nn.Linear(c.hidden, c.hidden)
        self.key = nn.Linear(c.hidden, c.hidden)
        self.value = nn.Linear(c.hidden, c.hidden)
        self.output = nn.Linear(c.hidden, c.hidden)
        self.dropout = nn.Dropout(c.attention_dropout)
        self.scale = 1.0 / math.sqrt(self.head_dim)

    def split(self, x):
        b, l, _ = x.shape
        return x.view(b, l, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x, mask_bias):
        q = self.split(self.query(x)) * self.scale
        k = self.split(self.key(x))
        v = self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) + mask_bias
        probs = self.dropout(torch.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).transpose(1, 2)
        b, l = ctx.shape[0], ctx.shape[1]
        return self.output(ctx.reshape(b, l, self.heads * self.head_dim))


class Layer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = SelfAttention(c)
        self.attention_norm = nn.LayerNorm(c.hidden, eps=c.layer_norm_eps)
        self.intermediate = nn.Linear(c.hidden, c.ffn)
        self.ffn_output = nn.Linear(c.ffn, c.hidden)
        self.output_norm = nn.LayerNorm(c.hidden, eps=c.layer_norm_eps)
        self.dropout = nn.Dropout(c.dropout)
        self.act = nn.GELU()

    def forward(self, x, mask_bias):
        x = self.attention_norm(x + self.dropout(self.attention(x, mask_bias)))
        h = self.ffn_output(self.act(self.intermediate(x)))
        return self.output_norm(x + self.dropout(h))


class RaqibEncoder(nn.Module):
    def __init__(self, c: EncoderConfig):
        super().__init__()
        self.config = c
        self.word_embeddings = nn.Embedding(c.vocab_size, c.hidden, padding_idx=0)
        self.position_embeddings = nn.Embedding(c.max_position, c.hidden)
        self.token_type_embeddings = nn.Embedding(c.type_vocab, c.hidden)
        self.embedding_norm = nn.LayerNorm(c.hidden, eps=c.layer_norm_eps)
        self.embedding_dropout = nn.Dropout(c.dropout)
        self.layers = nn.ModuleList([Layer(c) for _ in range(c.layers)])
        self.pooler = nn.Linear(c.hidden, c.hidden)
        self.head_dropout = nn.Dropout(c.dropout)
        self.classifier = nn.Linear(c.hidden, N_LABELS + N_CATEGORIES)
        self.register_buffer("position_ids", torch.arange(c.max_position).unsqueeze(0), persistent=False)
        self.apply(self._init)

    @staticmethod
    def _init(m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
            nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)
            if m.padding_idx is not None:
                with torch.no_grad():
                    m.weight[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def encode(self, input_ids, attention_mask, token_type_ids):
        seq = input_ids.shape[1]
        pos = self.position_ids[:, :seq]
        x = self.word_embeddings(input_ids) + self.position_embeddings(pos) + self.token_type_embeddings(token_type_ids)
        x = self.embedding_dropout(self.embedding_norm(x))
        mask = attention_mask.to(x.dtype)
        mask_bias = (1.0 - mask[:, None, None, :]) * -10000.0
        for layer in self.layers:
            x = layer(x, mask_bias)
        return x, mask

    def forward(self, input_ids, attention_mask, token_type_ids):
        x, mask = self.encode(input_ids, attention_mask, token_type_ids)
        m = mask.unsqueeze(-1)
        pooled = (x * m).sum(dim=1) / m.sum(dim=1).clamp(min=1.0)
        pooled = torch.tanh(self.pooler(pooled))
        return self.classifier(self.head_dropout(pooled))


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
