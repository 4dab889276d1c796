"""Hugging Face export/import and llama2.c import (storylab.interop).

No network: Hugging Face models are made here from local configs with random weights.
The llama2.c checks run against the real stories260K checkpoint and tokenizers in
../shared/data/llama2c and against an independent NumPy port of llama2.c's run.c.
"""

from __future__ import annotations

import dataclasses
import json
import math
import random
import re
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from storylab.checkpoint import load_model
from storylab.config import ModelConfig
from storylab.tokenizer import EOT
from storylab.errors import StorylabError
from storylab.model import GPT

transformers = pytest.importorskip("transformers")
transformers.logging.set_verbosity_error()

LLAMA2C = Path(__file__).resolve().parents[2] / "shared" / "data" / "llama2c"
STORIES = Path(__file__).resolve().parents[2] / "shared" / "data" / "tinystories" / "train_prefix_2MiB.txt"
needs_llama2c = pytest.mark.skipif(not (LLAMA2C / "stories260K.bin").exists(), reason="shared llama2.c data missing")

TEXTS = ["Once upon a time, there was a little cat named Tom.", "Tom liked to play in the sun with his friend.",
         "One day, they found a big red ball near the tree!", "\"Can I play?\" asked the dog. Tom said yes."]


# --- helpers --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def one_thread():
    """Tiny models run faster on one thread (and a busy 2-core machine makes 2 threads crawl)."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def cli(argv: list[str]) -> tuple[int, str, str]:
    """Run the `storylab` command in-process: (exit status, stdout, stderr)."""
    import contextlib
    import io

    from storylab.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main(argv)
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def bpe():
    from storylab.tokenizer import train_tokenizer

    return train_tokenizer(TEXTS * 20, vocab_size=300, min_frequency=1)


def randomize(model: torch.nn.Module, seed: int = 0) -> torch.nn.Module:
    """Every parameter random (norm gains near 1), so that no zero bias or unit gain hides a bug."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            noise = torch.randn(p.shape, generator=g)
            if p.dim() == 1 and ("ln" in name or "norm" in name) and name.endswith("weight"):
                p.copy_(1.0 + 0.2 * noise)
            else:
                p.copy_(0.15 * noise)
    return model.eval()


def make_run(tmp: Path, cfg: ModelConfig, tok, name: str = "run") -> tuple[Path, GPT]:
    from storylab.interop.common import write_run

    torch.manual_seed(0)
    model = randomize(GPT(cfg))
    return write_run(tmp / name, model, tok, {"format": "test"}), model


def tokens(vocab: int, T: int = 24, seed: int = 1) -> torch.Tensor:
    return torch.randint(0, vocab, (2, T), generator=torch.Generator().manual_seed(seed))


def hf_logits(path, idx) -> torch.Tensor:
    hf = transformers.AutoModelForCausalLM.from_pretrained(str(path)).float().eval()
    with torch.no_grad():
        return hf(input_ids=idx).logits


def sl_logits(model, idx) -> torch.Tensor:
    with torch.no_grad():
        return model.float().eval()(idx)


def base(**kw) -> ModelConfig:
    d = dict(vocab_size=304, context=32, d_model=32, n_layers=3, n_heads=4)
    d.update(kw)
    return ModelConfig(**d)


LLAMA = dict(positions="rope", norm="rmsnorm", activation="swiglu")
NEO = dict(positions="learned", norm="layernorm", activation="gelu")
CONFIGS = {
    "llama": base(**LLAMA),
    "llama-gqa": base(**LLAMA, n_kv_heads=2),
    "llama-untied": base(**LLAMA, tie_embeddings=False),
    "llama-gqa-untied": base(**LLAMA, n_kv_heads=1, tie_embeddings=False, d_mlp=40),
    "llama-biases-theta-scale": base(**LLAMA, n_kv_heads=2, bias=True, qkv_bias=True, rope_theta=500.0,
                                     attn_scale=0.3, norm_eps=1e-6),
    "neo": base(**NEO),
    "neo-bias": base(**NEO, bias=True),
    "neo-local": base(**NEO, window=5, local_layers=[1]),
    "neo-local-bias-untied": base(**NEO, window=4, local_layers=[0, 2], bias=True, tie_embeddings=False),
    "neo-all-local-gqa": base(**NEO, window=3, n_kv_heads=2, attn_scale=1.0, d_mlp=48),
}


# --- storylab -> Hugging Face -> storylab ---------------------------------------------------


@pytest.mark.parametrize("name", list(CONFIGS))
def test_roundtrip_storylab_hf_storylab(tmp_path, bpe, name):
    from storylab.interop import export_hf, import_hf

    cfg = dataclasses.replace(CONFIGS[name])
    run, model = make_run(tmp_path, cfg, bpe)
    idx = tokens(cfg.vocab_size, T=cfg.context)
    want = sl_logits(model, idx)

    res = export_hf(run, tmp_path / "hf")
    assert res.architecture == ("LlamaForCausalLM" if cfg.positions == "rope" else "GPTNeoForCausalLM")
    files = {p.name for p in (tmp_path / "hf").iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= files
    assert not any(f.endswith((".bin", ".pt", ".pth")) for f in files)
    torch.testing.assert_close(hf_logits(tmp_path / "hf", idx), want, atol=1e-4, rtol=0)

    back = import_hf(tmp_path / "hf", tmp_path / "back")
    model2 = load_model(back.out)
    torch.testing.assert_close(sl_logits(model2, idx), want, atol=1e-4, rtol=0)
    if cfg.positions == "learned":
        assert model2.cfg.attn_scale == 1.0 and model2.cfg.bias
        assert [model2.cfg.is_local(l) for l in range(cfg.n_layers)] == [cfg.is_local(l) for l in range(cfg.n_layers)]


def test_exported_tokenizer(tmp_path, bpe):
    from storylab.interop import export_hf

    run, _ = make_run(tmp_path, CONFIGS["neo-local"], bpe)
    export_hf(run, tmp_path / "hf")
    hft = transformers.AutoTokenizer.from_pretrained(str(tmp_path / "hf"))
    assert hft.bos_token == hft.eos_token == EOT
    assert hft.eos_token_id == bpe.token_to_id(EOT)
    for t in TEXTS:
        assert hft(t)["input_ids"] == bpe.encode(t).ids
        assert hft.decode(hft(t)["input_ids"]) == t
    cfg = json.loads((tmp_path / "hf" / "config.json").read_text())
    assert cfg["attention_types"] == [[["global", "local", "global"], 1]] and cfg["window_size"] == 5


# --- Hugging Face -> storylab -> Hugging Face -------------------------------------------------


def _hf_randomize(hf):
    g = torch.Generator().manual_seed(3)
    with torch.no_grad():
        for name, p in hf.named_parameters():
            if "norm" in name or "ln_" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.15 * torch.randn(p.shape, generator=g))
    return hf.eval()


def test_roundtrip_hf_gptneo_local(tmp_path, bpe):
    from storylab.interop import export_hf, import_hf

    c = transformers.GPTNeoConfig(vocab_size=bpe.get_vocab_size(), max_position_embeddings=40, hidden_size=32,
                                  num_layers=4, num_heads=4, attention_types=[[["global", "local"], 2]],
                                  window_size=6, intermediate_size=64, bos_token_id=0, eos_token_id=0)
    hf = _hf_randomize(transformers.GPTNeoForCausalLM(c))
    hf.save_pretrained(str(tmp_path / "neo"))
    transformers.PreTrainedTokenizerFast(tokenizer_object=bpe, bos_token=EOT, eos_token=EOT).save_pretrained(
        str(tmp_path / "neo"))
    idx = tokens(c.vocab_size, T=30)
    with torch.no_grad():
        want = hf(input_ids=idx).logits

    res = import_hf(tmp_path / "neo", tmp_path / "run")
    m = load_model(res.out)
    assert (m.cfg.window, m.cfg.local_layers, m.cfg.attn_scale, m.cfg.context) == (6, [1, 3], 1.0, 40)
    torch.testing.assert_close(sl_logits(m, idx), want, atol=1e-4, rtol=0)
    # the window matters: a global-only model gives different logits past the window
    g = GPT(dataclasses.replace(m.cfg, window=0, local_layers=[]))
    g.load_state_dict(m.state_dict())
    assert (sl_logits(g, idx) - want).abs().max() > 1e-3

    export_hf(res.out, tmp_path / "neo2")
    torch.testing.assert_close(hf_logits(tmp_path / "neo2", idx), want, atol=1e-4, rtol=0)

    # --context keeps the first N learned positions (TinyStories: trained at 512, configs say 2048)
    short = import_hf(tmp_path / "neo", tmp_path / "short", context=16)
    ms = load_model(short.out)
    assert ms.cfg.context == 16 and ms.wpe.weight.shape[0] == 16
    torch.testing.assert_close(sl_logits(ms, idx[:, :16]), want[:, :16], atol=1e-4, rtol=0)
    with pytest.raises(StorylabError, match="context"):
        import_hf(tmp_path / "neo", tmp_path / "long", context=41)


def _llama_tokenizer():
    """A small sentencepiece-style tokenizer with <unk>, <s>, </s> and no <|endoftext|> (as Llama's)."""
    from tokenizers import Tokenizer, decoders, models, normalizers, processors

    chars = sorted(set("".join(TEXTS)) | {" "})
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2, **{c: i + 3 for i, c in enumerate(chars)}}
    tok = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tok.normalizer = normalizers.Prepend(" ")
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])
    tok.decoder = decoders.Sequence([decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    tok.add_special_tokens(["<unk>", "<s>", "</s>"])
    return tok


def test_roundtrip_hf_llama_gqa(tmp_path):
    from storylab.interop import export_hf, import_hf
    from storylab.sample import SampleSettings, generate
    from storylab.rundir import load_run

    tok = _llama_tokenizer()
    c = transformers.LlamaConfig(vocab_size=tok.get_vocab_size() + 2, hidden_size=48, intermediate_size=72,
                                 num_hidden_layers=3, num_attention_heads=6, num_key_value_heads=2,
                                 max_position_embeddings=64, rms_norm_eps=1e-6, rope_theta=1000.0,
                                 tie_word_embeddings=False, bos_token_id=1, eos_token_id=2)
    hf = _hf_randomize(transformers.LlamaForCausalLM(c))
    hf.save_pretrained(str(tmp_path / "llama"))
    transformers.PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<s>", eos_token="</s>",
                                         unk_token="<unk>").save_pretrained(str(tmp_path / "llama"))
    idx = tokens(c.vocab_size, T=40)
    with torch.no_grad():
        want = hf(input_ids=idx).logits

    res = import_hf(tmp_path / "llama", tmp_path / "run")
    assert res.renamed == {EOT: "<s>"}
    m = load_model(res.out)
    assert (m.cfg.kv_heads, m.cfg.rope_theta, m.cfg.norm_eps, m.cfg.tie_embeddings) == (2, 1000.0, 1e-6, False)
    torch.testing.assert_close(sl_logits(m, idx), want, atol=1e-4, rtol=0)

    # storylab's sampler: BOS (renamed <|endoftext|>) first, as Llama expects; stops at </s> too
    model, stok = load_run(res.out)
    assert stok.token_to_id(EOT) == 1 and stok.encode("Tom").ids[0] == 1
    (text,), = generate(model, stok, ["Tom"], SampleSettings(max_new_tokens=10, greedy=True))
    assert isinstance(text, str)

    export_hf(res.out, tmp_path / "llama2")
    torch.testing.assert_close(hf_logits(tmp_path / "llama2", idx), want, atol=1e-4, rtol=0)
    hft = transformers.AutoTokenizer.from_pretrained(str(tmp_path / "llama2"))
    assert (hft.bos_token, hft.eos_token, hft.bos_token_id, hft.eos_token_id) == ("<s>", "</s>", 1, 2)
    assert hft("Tom")["input_ids"] == tok.encode("Tom").ids


def test_import_hf_refuses_other_families(tmp_path):
    from storylab.interop import import_hf

    transformers.GPT2Config(n_layer=1, n_embd=16, n_head=2, vocab_size=50).save_pretrained(str(tmp_path / "g"))
    with pytest.raises(StorylabError, match="model_type='gpt2'"):
        import_hf(tmp_path / "g", tmp_path / "run")
    with pytest.raises(StorylabError, match="not a Hugging Face model"):
        import_hf(tmp_path / "nothing-here", tmp_path / "run")


# --- refusals ----------------------------------------------------------------------------


@pytest.mark.parametrize("kw,option", [
    (dict(positions="alibi"), "positions=alibi"),
    (dict(positions="rope", norm="layernorm", activation="swiglu"), "norm=layernorm"),
    (dict(positions="rope", norm="rmsnorm", activation="gelu"), "activation=gelu"),
    (dict(positions="rope", norm="rmsnorm", activation="swiglu", window=8), "window=8"),
    (dict(positions="learned", norm="rmsnorm", activation="gelu"), "norm=rmsnorm"),
    (dict(positions="learned", norm="layernorm", activation="swiglu"), "activation=swiglu"),
    (dict(positions="learned", norm="layernorm", activation="gelu", qkv_bias=True), "qkv_bias"),
])
def test_export_refuses_unrepresentable(tmp_path, bpe, kw, option):
    from storylab.interop import export_hf

    run, _ = make_run(tmp_path, base(**kw), bpe)
    with pytest.raises(StorylabError, match=re.escape(option)) as e:
        export_hf(run, tmp_path / "hf")
    assert "\n" not in str(e.value)
    assert not (tmp_path / "hf").exists()


def test_cli_export_refusal_exit_2(tmp_path, bpe):
    run, _ = make_run(tmp_path, base(positions="alibi"), bpe)
    code, _, err = cli(["export-hf", str(run), "--out", str(tmp_path / "hf")])
    assert code == 2 and "positions=alibi" in err and "Traceback" not in err


# --- llama2.c: an independent reference (a direct NumPy port of run.c) ----------------------


def read_llama2c_tokenizer(path):
    data = Path(path).read_bytes()
    off, pieces, scores = 4, [], []
    while off < len(data):
        score, n = struct.unpack_from("<fi", data, off)
        off += 8
        pieces.append(data[off:off + n])
        scores.append(score)
        off += n
    return pieces, scores


def llama2c_encode(pieces, scores, text: str, bos: bool = True) -> list[int]:
    """run.c's encode(): BOS, dummy-prefix " ", code points (bytes + 3 if unknown), best-score merges."""
    lookup = {p: i for i, p in enumerate(pieces)}
    ids = [1] if bos else []
    if text:
        ids.append(lookup.get(b" ", -1))
    for ch in text:
        b = ch.encode("utf-8")
        ids.extend([lookup[b]] if b in lookup else [x + 3 for x in b])
    while True:
        best, best_id, best_idx = -1e10, -1, -1
        for i in range(len(ids) - 1):
            j = lookup.get(pieces[ids[i]] + pieces[ids[i + 1]], -1)
            if j != -1 and scores[j] > best:
                best, best_id, best_idx = scores[j], j, i
        if best_idx == -1:
            return ids
        ids[best_idx:best_idx + 2] = [best_id]


def llama2c_decode(pieces, prev: int, token: int) -> bytes:
    p = pieces[token]
    if prev == 1 and p.startswith(b" "):
        p = p[1:]
    if len(p) == 6 and p.startswith(b"<0x") and p.endswith(b">"):
        return bytes([int(p[3:5], 16)])
    return p


class Llama2cReference:
    """run.c's Transformer, forward() and greedy generate(), in float32 NumPy (legacy v0 files)."""

    def __init__(self, path):
        raw = Path(path).read_bytes()
        dim, hidden, L, H, K, V, T = struct.unpack_from("<7i", raw, 0)
        shared, V = V > 0, abs(V)
        f = np.frombuffer(raw, dtype="<f4", offset=28)
        hs, kv_dim = dim // H, dim // H * K
        off = 0

        def take(*shape):
            nonlocal off
            n = int(np.prod(shape))
            a = f[off:off + n].reshape(shape)
            off += n
            return a

        self.tok, self.rms_att = take(V, dim), take(L, dim)
        self.wq, self.wk, self.wv, self.wo = take(L, dim, dim), take(L, kv_dim, dim), take(L, kv_dim, dim), take(L, dim, dim)
        self.rms_ffn, self.w1, self.w2, self.w3 = take(L, dim), take(L, hidden, dim), take(L, dim, hidden), take(L, hidden, dim)
        self.rms_final = take(dim)
        take(T * hs // 2), take(T * hs // 2)  # freq_cis_real/imag
        self.wcls = self.tok if shared else take(V, dim)
        assert off == f.size
        self.dim, self.L, self.H, self.K, self.hs, self.kv_dim, self.T = dim, L, H, K, hs, kv_dim, T
        self.kc = np.zeros((L, T, kv_dim), np.float32)
        self.vc = np.zeros((L, T, kv_dim), np.float32)

    @staticmethod
    def rmsnorm(x, w):
        ss = np.float32(np.dot(x, x) / np.float32(x.size) + np.float32(1e-5))
        return w * (np.float32(1.0) / np.sqrt(ss) * x)

    def forward(self, token: int, pos: int) -> np.ndarray:
        hs, kv_mul = self.hs, self.H // self.K
        x = self.tok[token].copy()
        i = np.arange(0, self.dim, 2)
        freq = np.float32(1.0) / np.power(np.float32(10000.0), (i % hs).astype(np.float32) / np.float32(hs))
        val = np.float32(pos) * freq
        fcr, fci = np.cos(val), np.sin(val)
        for l in range(self.L):
            xb = self.rmsnorm(x, self.rms_att[l])
            q, k, v = self.wq[l] @ xb, self.wk[l] @ xb, self.wv[l] @ xb
            for vec, n in ((q, self.dim), (k, self.kv_dim)):  # rotate pairs (2i, 2i+1)
                v0, v1 = vec[0:n:2].copy(), vec[1:n:2].copy()
                vec[0:n:2] = v0 * fcr[:n // 2] - v1 * fci[:n // 2]
                vec[1:n:2] = v0 * fci[:n // 2] + v1 * fcr[:n // 2]
            self.kc[l, pos], self.vc[l, pos] = k, v
            # every query head h reads key/value head h // kv_mul (run.c's per-head loop, batched)
            qh = q.reshape(self.H, hs)
            kh = self.kc[l, :pos + 1].reshape(pos + 1, self.K, hs)[:, np.arange(self.H) // kv_mul]  # [t, H, hs]
            vh = self.vc[l, :pos + 1].reshape(pos + 1, self.K, hs)[:, np.arange(self.H) // kv_mul]
            att = np.einsum("thd,hd->ht", kh, qh) / np.sqrt(np.float32(hs))
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            xb = np.einsum("ht,thd->hd", att, vh).reshape(self.dim).astype(np.float32)
            x = x + self.wo[l] @ xb
            xb = self.rmsnorm(x, self.rms_ffn[l])
            hb = self.w1[l] @ xb
            hb = hb * (np.float32(1.0) / (np.float32(1.0) + np.exp(-hb))) * (self.w3[l] @ xb)
            x = x + self.w2[l] @ hb
        return self.wcls @ self.rmsnorm(x, self.rms_final)

    def greedy(self, prompt: list[int], n_new: int, stop_at_bos: bool = True) -> list[int]:
        """run.c's generate() at temperature 0: returns the sampled tokens (not the prompt)."""
        out, token, pos = [], prompt[0], 0
        while len(out) < n_new:
            logits = self.forward(token, pos)
            if pos < len(prompt) - 1:
                nxt = prompt[pos + 1]
            else:
                nxt = int(np.argmax(logits))
                out.append(nxt)
            pos += 1
            if nxt == 1 and stop_at_bos:
                break
            token = nxt
        return out


# --- llama2.c import ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def s260(tmp_path_factory):
    from storylab.interop import import_llama2c

    if not (LLAMA2C / "stories260K.bin").exists():
        pytest.skip("shared llama2.c data missing")
    out = tmp_path_factory.mktemp("s260") / "s260"
    import_llama2c(LLAMA2C / "stories260K.bin", LLAMA2C / "tok512.bin", out)
    return out


@needs_llama2c
def test_stories260k_greedy_matches_llama2c_reference(s260):
    from storylab.sample import SampleSettings, generate, generate_ids
    from storylab.rundir import load_run

    pieces, scores = read_llama2c_tokenizer(LLAMA2C / "tok512.bin")
    prompt = llama2c_encode(pieces, scores, "Once upon a time")
    model, tok = load_run(s260)
    assert tok.encode("Once upon a time").ids == prompt  # BOS + dummy-prefix encoding, as run.c
    ref = Llama2cReference(LLAMA2C / "stories260K.bin")

    want = ref.greedy(prompt, 200, stop_at_bos=False)
    got = generate_ids(model, [prompt], SampleSettings(max_new_tokens=200, greedy=True), eot_id=None)[0]
    assert len(want) == 200 and got == want

    # what `storylab sample --greedy` prints equals what run.c prints (run.c stops at BOS;
    # greedy decoding is deterministic, so that is the prefix before the first BOS)
    ref_stop = want[:want.index(1)] if 1 in want else want
    text = b"".join(llama2c_decode(pieces, p, t) for p, t in zip(prompt[-1:] + ref_stop, ref_stop)).decode()
    (sample,), = generate(model, tok, ["Once upon a time"], SampleSettings(max_new_tokens=200, greedy=True))
    assert sample == text
    assert sample.startswith(", there was a little girl named Lily.")


@needs_llama2c
def test_stories260k_logits_match_reference(s260):
    model = load_model(s260)
    ref = Llama2cReference(LLAMA2C / "stories260K.bin")
    seq = [1, 403, 407, 261, 378, 11, 1, 262, 300]  # includes a BOS mid-sequence
    want = np.stack([ref.forward(t, i) for i, t in enumerate(seq)])
    got = sl_logits(model, torch.tensor([seq]))[0].numpy()
    np.testing.assert_allclose(got, want, atol=1e-4, rtol=0)


def _strings() -> list[str]:
    rnd = random.Random(0)
    out = ["", " ", "  ", "a    b", "\n\n", "Hello   world  \t x", "日本語のテキスト", "emoji 😀👍 ok",
           "<0x41> and <s>", "x" * 60, "   leading", "trailing   ", "Ünïcödé café naïve", "\n<s>\n", "Tab\there"]
    if STORIES.exists():
        text = STORIES.read_text(encoding="utf-8")[:100_000]
        out += [l for l in text.split("\n") if l.strip() and l != EOT][:150]
        out.append(text[:1200])
    alphabet = "ab  .,\n\téü日😀Tt'\"-0"
    out += ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 40))) for _ in range(100)]
    return out


@needs_llama2c
@pytest.mark.parametrize("name", ["tok512.bin", "tokenizer.bin"])
def test_llama2c_tokenizer_matches_reference_encode(name):
    from storylab.interop.llama2c import load_tokenizer

    pieces, scores = read_llama2c_tokenizer(LLAMA2C / name)
    tok = load_tokenizer(LLAMA2C / name)
    assert tok.get_vocab_size() == len(pieces) and tok.token_to_id(EOT) == 1
    for s in _strings():
        ids = tok.encode(s).ids
        assert ids == llama2c_encode(pieces, scores, s), s
        assert tok.encode(s, add_special_tokens=False).ids == ids[1:]
        assert tok.decode(ids) == s  # llama2.c's decode: bytes from <0xNN>, no space after BOS
        want = b"".join(llama2c_decode(pieces, p, t) for p, t in zip(ids, ids[1:])).decode("utf-8", "replace")
        assert tok.decode(ids) == want


@needs_llama2c
def test_llama2c_32k_tokenizer_round_trip_and_export(tmp_path):
    from storylab.interop.llama2c import load_tokenizer

    tok = load_tokenizer(LLAMA2C / "tokenizer.bin")
    for s in ["Once upon a time, there was a girl.", "Lily said, \"Look!\"\nThe end.", "naïve 日本 🙂"]:
        ids = tok.encode(s).ids
        assert ids[0] == 1 and tok.decode(ids) == s
    # a 32k-vocab model (random weights) + this tokenizer runs through `storylab sample`
    from storylab.interop.common import write_run
    from storylab.sample import SampleSettings, generate
    from storylab.rundir import load_run

    cfg = ModelConfig(vocab_size=32000, context=64, d_model=16, n_layers=1, n_heads=2, **LLAMA)
    write_run(tmp_path / "r", GPT(cfg), tok, {})
    model, t = load_run(tmp_path / "r")
    (out,), = generate(model, t, ["Hello"], SampleSettings(max_new_tokens=5, greedy=True))
    assert isinstance(out, str)


def _v1_bytes(src: Path, shared: bool = True) -> bytes:
    """stories260K rewritten in llama2.c's version 1 layout (export.py's version1_export)."""
    ref = Llama2cReference(src)
    V = ref.tok.shape[0]
    head = struct.pack("<Ii7i", 0x616B3432, 1, ref.dim, ref.w1.shape[1], ref.L, ref.H, ref.K, V, ref.T)
    head += struct.pack("<B", int(shared))
    head += b"\0" * (256 - len(head))
    arrays = [ref.rms_att, ref.rms_ffn, ref.rms_final, ref.tok, ref.wq, ref.wk, ref.wv, ref.wo, ref.w1, ref.w2, ref.w3]
    if not shared:
        arrays.append(ref.tok * 1.5)
    return head + b"".join(np.ascontiguousarray(a, dtype="<f4").tobytes() for a in arrays)


@needs_llama2c
@pytest.mark.parametrize("shared", [True, False])
def test_llama2c_version1_format(tmp_path, s260, shared):
    from storylab.interop.llama2c import load_checkpoint

    p = tmp_path / "v1.bin"
    p.write_bytes(_v1_bytes(LLAMA2C / "stories260K.bin", shared))
    m1, m0 = load_checkpoint(p), load_model(s260)
    assert m1.cfg.tie_embeddings == shared
    idx = tokens(512, T=20)
    want = sl_logits(m0, idx) * (1.5 if not shared else 1.0)
    if shared:
        torch.testing.assert_close(sl_logits(m1, idx), want, atol=1e-5, rtol=0)
    else:  # the untied classifier is 1.5 x the embedding: logits scale by 1.5
        torch.testing.assert_close(sl_logits(m1, idx), want, atol=1e-4, rtol=0)


@needs_llama2c
def test_llama2c_corrupt_files(tmp_path):
    from storylab.interop import import_llama2c

    raw = (LLAMA2C / "stories260K.bin").read_bytes()
    cases = {
        "truncated.bin": raw[:len(raw) // 2],
        "short.bin": raw[:10],
        "garbage.bin": bytes(range(256)) * 40,
        "trailing.bin": raw + b"\0" * 8,
        "v2.bin": struct.pack("<Ii", 0x616B3432, 2) + b"\0" * 300,
        "nan.bin": raw[:28] + struct.pack("<f", float("nan")) + raw[32:],
    }
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(StorylabError) as e:
            import_llama2c(tmp_path / name, LLAMA2C / "tok512.bin", tmp_path / ("out-" + name))
        assert "\n" not in str(e.value) and name in str(e.value), str(e.value)
        assert not (tmp_path / ("out-" + name)).exists()
    (tmp_path / "tok.bin").write_bytes((LLAMA2C / "tok512.bin").read_bytes()[:3000])
    with pytest.raises(StorylabError, match="truncated"):
        import_llama2c(LLAMA2C / "stories260K.bin", tmp_path / "tok.bin", tmp_path / "out")
    with pytest.raises(StorylabError, match="wrong tokenizer"):
        import_llama2c(LLAMA2C / "stories260K.bin", LLAMA2C / "tokenizer.bin", tmp_path / "out")

    code, _, err = cli(["import-llama2c", str(tmp_path / "truncated.bin"), "--tokenizer",
                        str(LLAMA2C / "tok512.bin"), "--out", str(tmp_path / "cli")])
    lines = [l for l in err.splitlines() if l.strip()]
    assert code == 2 and len(lines) == 1 and "truncated" in lines[0], err


@needs_llama2c
def test_cli_import_llama2c_then_sample(tmp_path):
    out = tmp_path / "s260"
    code, _, err = cli(["import-llama2c", str(LLAMA2C / "stories260K.bin"), "--tokenizer",
                        str(LLAMA2C / "tok512.bin"), "--out", str(out)])
    assert code == 0 and "import-llama2c: 260,032 parameters" in err, err
    code, stdout, err = cli(["sample", str(out), "--greedy", "--max-new-tokens", "40"])
    assert code == 0, err
    assert stdout.startswith("Once upon a time, there was a little girl named Lily.")
