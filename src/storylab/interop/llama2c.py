"""Import llama2.c checkpoints (`.bin`, versions 0 and 1) and tokenizers (`tokenizer.bin`).

Checkpoints
    Version 0 ("legacy", what most published llama2.c models use): seven int32
    (dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len; a negative
    vocab_size means an untied classifier), then float32 weights: token embedding,
    rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3 (each for all layers), rms_final,
    the RoPE tables freq_cis_real/imag (seq_len x head_size/2 each, ignored), and the
    classifier if untied. Version 1: uint32 magic "ak42", int32 version, the same seven
    int32, a uint8 shared-classifier flag, zero padding to 256 bytes, then the norms
    first (rms_att, rms_ffn, rms_final), the embedding, wq, wk, wv, wo, w1, w2, w3, and
    the classifier if untied. Version 2 (int8) is refused with a clear message.

    llama2.c applies RoPE to interleaved pairs (x0, x1), (x2, x3), ...; storylab, like
    Hugging Face Llama, rotates halves. The rows of wq and wk are permuted exactly as
    Hugging Face's `convert_llama_weights_to_hf` does, so the two compute the same thing.
    w1 is the SwiGLU gate, w3 the up projection, w2 the down projection; RMSNorm eps 1e-5.

Tokenizers
    int32 max_token_length, then per token: float32 score, int32 byte length, bytes.
    Spaces are stored as " " (llama2.c's export replaced sentencepiece's "▁"); ids 0, 1,
    2 are <unk>, BOS ("\\n<s>\\n") and EOS ("\\n</s>\\n"); ids 3..258 are the byte-fallback
    tokens <0x00>..<0xFF>. llama2.c's `encode` prepends BOS and a dummy " " to non-empty
    text, looks every code point up (bytes + 3 when absent), then repeatedly merges the
    adjacent pair whose concatenation is a token of the highest score (leftmost on ties).

    The equivalent Hugging Face `tokenizers` object is a BPE model over the same pieces
    (spaces kept as " ", so no "▁" mapping can differ) whose merge list is every split
    a + b of every piece into two pieces, ranked by the piece's score (best first), with
    byte fallback; a `Prepend(" ")` normaliser (which leaves "" alone, as llama2.c does)
    and no pre-tokenizer, so merges may cross spaces as in llama2.c. BPE with ranks taken
    from the merged token's score performs the same merges in the same order whenever
    scores are distinct, which they are for sentencepiece BPE vocabularies (the exceptions
    are equal-score runs of spaces in the 32k Llama vocabulary; see the tests).

    Token 1 (llama2.c's BOS, which starts every training story and on which its sampler
    stops) is named `<|endoftext|>`: it plays exactly the role storylab's end-of-text
    token plays (separator between stories, start of an unprompted sample, stop token),
    so `storylab sample`, eval and inspect treat it correctly. A TemplateProcessing
    post-processor prepends it when special tokens are requested, as llama2.c's encode
    does with bos=1. Token 2 is named `</s>`. Ids 0-2 are ordinary vocabulary entries
    (not "added tokens"), so text containing "<|endoftext|>" is encoded character by
    character, as llama2.c would. The decoder maps byte tokens back to bytes and, like
    llama2.c's `decode`, drops the space that follows a leading BOS.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, processors

from storylab.config import ModelConfig
from storylab.errors import StorylabError
from storylab.interop.common import write_run
from storylab.io import require_file
from storylab.model import GPT
from storylab.tokenizer import EOT

MAGIC = 0x616B3432  # "ak42"
V1_HEADER = 256
BOS_ID, EOS_ID = 1, 2
BOS_NAME, EOS_NAME, UNK_NAME = EOT, "</s>", "<unk>"


# --- checkpoints -------------------------------------------------------------------


@dataclass
class Llama2cHeader:
    dim: int
    hidden_dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    vocab_size: int
    seq_len: int
    shared_classifier: bool
    version: int
    offset: int  # where the float32 weights start

    @property
    def head_size(self) -> int:
        return self.dim // self.n_heads

    @property
    def kv_dim(self) -> int:
        return self.head_size * self.n_kv_heads

    def shapes(self) -> list[tuple[str, tuple[int, ...]]]:
        """(name, shape) of every float32 array in the file, in file order."""
        L, d, h, kv, V = self.n_layers, self.dim, self.hidden_dim, self.kv_dim, self.vocab_size
        norms = [("rms_att", (L, d)), ("rms_ffn", (L, d)), ("rms_final", (d,))]
        mats = [("wq", (L, d, d)), ("wk", (L, kv, d)), ("wv", (L, kv, d)), ("wo", (L, d, d)),
                ("w1", (L, h, d)), ("w2", (L, d, h)), ("w3", (L, h, d))]
        cls = [] if self.shared_classifier else [("wcls", (V, d))]
        if self.version == 0:
            half = self.seq_len * self.head_size // 2
            return ([("tok", (V, d)), ("rms_att", (L, d))] + mats[:4] + [("rms_ffn", (L, d))] + mats[4:]
                    + [("rms_final", (d,)), ("freq_cis_real", (half,)), ("freq_cis_imag", (half,))] + cls)
        return norms + [("tok", (V, d))] + mats + cls


def read_header(path: Path, size: int, head: bytes) -> Llama2cHeader:
    if len(head) < 28:
        raise StorylabError(f"{path}: not a llama2.c checkpoint ({size} bytes, too short for a header)")
    magic, version = struct.unpack_from("<Ii", head, 0)
    if magic == MAGIC:
        if version == 2:
            raise StorylabError(f"{path}: llama2.c version 2 (int8-quantised) checkpoints are not supported; "
                                "export the model with --version 1 or 0")
        if version != 1:
            raise StorylabError(f"{path}: unknown llama2.c checkpoint version {version}")
        if len(head) < V1_HEADER:
            raise StorylabError(f"{path}: truncated llama2.c version 1 header ({size} bytes)")
        dim, hidden, L, H, K, V, T = struct.unpack_from("<7i", head, 8)
        shared = bool(head[36])
        hdr = Llama2cHeader(dim, hidden, L, H, K, V, T, shared, 1, V1_HEADER)
    else:
        dim, hidden, L, H, K, V, T = struct.unpack_from("<7i", head, 0)
        hdr = Llama2cHeader(dim, hidden, L, H, K, abs(V), T, V > 0, 0, 28)
    values = dict(dim=hdr.dim, hidden_dim=hdr.hidden_dim, n_layers=hdr.n_layers, n_heads=hdr.n_heads,
                  n_kv_heads=hdr.n_kv_heads, vocab_size=hdr.vocab_size, seq_len=hdr.seq_len)
    limits = dict(dim=1 << 16, hidden_dim=1 << 18, n_layers=1024, n_heads=1024, n_kv_heads=1024,
                  vocab_size=1 << 22, seq_len=1 << 20)
    for k, v in values.items():
        if not 0 < v <= limits[k]:
            raise StorylabError(f"{path}: not a llama2.c checkpoint (implausible header: {k}={v})")
    if hdr.dim % hdr.n_heads or hdr.n_heads % hdr.n_kv_heads or hdr.head_size % 2:
        raise StorylabError(f"{path}: not a llama2.c checkpoint (implausible header: dim={hdr.dim}, "
                            f"n_heads={hdr.n_heads}, n_kv_heads={hdr.n_kv_heads})")
    return hdr


def _permute_rope(w: torch.Tensor, n_heads: int) -> torch.Tensor:
    """Rows of a q/k projection from interleaved-pair RoPE to rotate-half RoPE (HF's permute)."""
    out, inp = w.shape
    return w.view(n_heads, out // n_heads // 2, 2, inp).transpose(1, 2).reshape(out, inp)


def read_checkpoint(path: str | os.PathLike) -> tuple[ModelConfig, dict[str, torch.Tensor], Llama2cHeader]:
    """(storylab config, storylab state dict, header) of a llama2.c `.bin` checkpoint."""
    path = require_file(path, "llama2.c checkpoint")
    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(V1_HEADER)
    hdr = read_header(path, size, head)
    shapes = hdr.shapes()
    n = sum(int(np.prod(s)) for _, s in shapes)
    expected = hdr.offset + 4 * n
    if size != expected:
        what = "truncated" if size < expected else "has unexpected trailing data"
        raise StorylabError(f"{path}: corrupt or {what} llama2.c checkpoint ({size:,} bytes; the header "
                            f"dim={hdr.dim}, n_layers={hdr.n_layers}, vocab={hdr.vocab_size} implies {expected:,})")
    flat = np.memmap(path, dtype="<f4", mode="r", offset=hdr.offset, shape=(n,))
    arrays, pos = {}, 0
    for name, shape in shapes:
        k = int(np.prod(shape))
        arrays[name] = flat[pos:pos + k].reshape(shape)
        pos += k

    cfg = ModelConfig(vocab_size=hdr.vocab_size, context=hdr.seq_len, d_model=hdr.dim, n_layers=hdr.n_layers,
                      n_heads=hdr.n_heads, n_kv_heads=hdr.n_kv_heads if hdr.n_kv_heads != hdr.n_heads else 0,
                      d_mlp=hdr.hidden_dim, positions="rope", norm="rmsnorm", activation="swiglu",
                      tie_embeddings=hdr.shared_classifier, bias=False, qkv_bias=False, norm_eps=1e-5,
                      rope_theta=10000.0)

    def t(name, *idx):
        a = np.array(arrays[name][idx] if idx else arrays[name], dtype=np.float32)
        if not np.isfinite(a).all():
            raise StorylabError(f"{path}: corrupt llama2.c checkpoint (non-finite values in {name})")
        return torch.from_numpy(a)

    sd = {"wte.weight": t("tok"), "ln_final.weight": t("rms_final")}
    for l in range(hdr.n_layers):
        p = f"blocks.{l}."
        sd[p + "ln1.weight"] = t("rms_att", l)
        sd[p + "ln2.weight"] = t("rms_ffn", l)
        sd[p + "attn.qkv.weight"] = torch.cat([_permute_rope(t("wq", l), hdr.n_heads),
                                               _permute_rope(t("wk", l), hdr.n_kv_heads), t("wv", l)])
        sd[p + "attn.out.weight"] = t("wo", l)
        sd[p + "mlp.fc.weight"] = torch.cat([t("w1", l), t("w3", l)])
        sd[p + "mlp.proj.weight"] = t("w2", l)
    if not hdr.shared_classifier:
        sd["lm_head.weight"] = t("wcls")
    del flat, arrays
    return cfg, sd, hdr


def load_checkpoint(path: str | os.PathLike):
    """A storylab GPT holding a llama2.c checkpoint's weights."""
    cfg, sd, _ = read_checkpoint(path)
    model = GPT(cfg)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if missing or unexpected:  # a bug here, not bad input
        raise RuntimeError(f"llama2.c import: missing {missing}, unexpected {unexpected}")
    return model.eval()


# --- tokenizers --------------------------------------------------------------------


@dataclass
class Llama2cVocab:
    pieces: list[bytes]
    scores: list[float]
    max_token_length: int


def read_tokenizer(path: str | os.PathLike, vocab_size: int | None = None) -> Llama2cVocab:
    """Pieces and scores of a llama2.c `tokenizer.bin` (all of it, or the first `vocab_size`)."""
    path = require_file(path, "llama2.c tokenizer")
    data = path.read_bytes()
    if len(data) < 4:
        raise StorylabError(f"{path}: not a llama2.c tokenizer ({len(data)} bytes)")
    (max_len,) = struct.unpack_from("<i", data, 0)
    if not 0 < max_len <= 1 << 16:
        raise StorylabError(f"{path}: not a llama2.c tokenizer (implausible max_token_length={max_len})")
    pieces, scores, off = [], [], 4
    while off < len(data) and (vocab_size is None or len(pieces) < vocab_size):
        if off + 8 > len(data):
            raise StorylabError(f"{path}: truncated llama2.c tokenizer (token {len(pieces)} cut off)")
        score, n = struct.unpack_from("<fi", data, off)
        off += 8
        if not 0 <= n <= max_len or off + n > len(data) or not np.isfinite(score):
            raise StorylabError(f"{path}: corrupt or truncated llama2.c tokenizer (token {len(pieces)}: "
                                f"length {n}, score {score})")
        pieces.append(data[off:off + n])
        scores.append(score)
        off += n
    if vocab_size is not None and len(pieces) < vocab_size:
        raise StorylabError(f"{path}: has {len(pieces)} tokens but the model needs {vocab_size}")
    if len(pieces) < 259:
        raise StorylabError(f"{path}: only {len(pieces)} tokens; a llama2.c tokenizer has <unk>, <s>, </s> "
                            "and 256 byte tokens first")
    for b in range(256):
        if pieces[3 + b] != f"<0x{b:02X}>".encode():
            raise StorylabError(f"{path}: token {3 + b} is {pieces[3 + b]!r}, expected the byte-fallback "
                                f"token <0x{b:02X}> (not a llama2.c/sentencepiece tokenizer?)")
    return Llama2cVocab(pieces, scores, max_len)


def build_tokenizer(vocab: Llama2cVocab, source: str = "tokenizer.bin"):
    """A Hugging Face `tokenizers.Tokenizer` that encodes exactly as llama2.c's `encode`."""
    try:
        strs = [p.decode("utf-8") for p in vocab.pieces]
    except UnicodeDecodeError as e:
        raise StorylabError(f"{source}: a token is not valid UTF-8 ({e})") from None
    ids = {s: i for i, s in enumerate(strs)}
    if len(ids) != len(strs):
        raise StorylabError(f"{source}: duplicate tokens")
    names = list(strs)
    names[0], names[BOS_ID], names[EOS_ID] = UNK_NAME, BOS_NAME, EOS_NAME
    for i in (0, BOS_ID, EOS_ID):
        j = ids.get(names[i])
        if j is not None and j != i:
            raise StorylabError(f"{source}: token {j} is {names[i]!r}, which storylab needs for id {i}")
    control = {0, BOS_ID, EOS_ID}
    merges = []
    for i, s in enumerate(strs):
        if i in control or len(s) < 2:
            continue
        for k in range(1, len(s)):
            a, b = ids.get(s[:k]), ids.get(s[k:])
            if a is not None and b is not None and a not in control and b not in control:
                merges.append((-vocab.scores[i], i, k, a, b))
    merges.sort()
    bpe = models.BPE(vocab={n: i for i, n in enumerate(names)},
                     merges=[(names[a], names[b]) for *_, a, b in merges],
                     unk_token=UNK_NAME, byte_fallback=True, fuse_unk=False)
    tok = Tokenizer(bpe)
    tok.normalizer = normalizers.Prepend(" ")
    tok.post_processor = processors.TemplateProcessing(
        single=f"{BOS_NAME} $A", pair=f"{BOS_NAME} $A {BOS_NAME} $B", special_tokens=[(BOS_NAME, BOS_ID)])
    tok.decoder = decoders.Sequence([
        decoders.ByteFallback(), decoders.Fuse(),
        decoders.Replace(Regex(r"\A" + BOS_NAME.replace("|", r"\|") + " ?"), ""),
    ])
    return tok


def load_tokenizer(path: str | os.PathLike, vocab_size: int | None = None):
    return build_tokenizer(read_tokenizer(path, vocab_size), str(path))


# --- the verb ----------------------------------------------------------------------


@dataclass
class ImportResult:
    out: Path
    config: ModelConfig
    version: int
    n_params: int

    def summary(self) -> str:
        c = self.config
        return (f"import-llama2c: {self.n_params:,} parameters (d_model={c.d_model}, layers={c.n_layers}, "
                f"heads={c.n_heads}/{c.kv_heads} kv, vocab={c.vocab_size}, context={c.context}, "
                f"format v{self.version}) -> {self.out}")


def import_llama2c(checkpoint: str | os.PathLike, tokenizer: str | os.PathLike, out: str | os.PathLike | None = None,
                   overwrite: bool = False) -> ImportResult:
    """A llama2.c checkpoint + tokenizer.bin -> a storylab run directory."""
    checkpoint = Path(checkpoint)
    out = Path(out) if out is not None else Path("runs") / checkpoint.stem
    cfg, sd, hdr = read_checkpoint(checkpoint)
    tok_vocab = read_tokenizer(tokenizer)
    if len(tok_vocab.pieces) != cfg.vocab_size:
        raise StorylabError(f"{tokenizer} has {len(tok_vocab.pieces)} tokens but {checkpoint} has a vocabulary "
                            f"of {cfg.vocab_size}: wrong tokenizer for this model")
    tok = build_tokenizer(tok_vocab, str(tokenizer))
    model = GPT(cfg)
    model.load_state_dict(sd, strict=False)
    source = {"format": f"llama2.c v{hdr.version}", "checkpoint": str(checkpoint), "tokenizer": str(tokenizer),
              "bos_id": BOS_ID, "eos_id": EOS_ID,
              "notes": "token 1 (llama2.c BOS, the story separator) is named <|endoftext|>; token 2 is </s>"}
    write_run(out, model, tok, source, overwrite=overwrite)
    return ImportResult(out, cfg, hdr.version, model.num_params())
