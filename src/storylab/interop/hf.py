"""Hugging Face export and import: `LlamaForCausalLM` and `GPTNeoForCausalLM`.

Which family a storylab config maps to:

- positions=rope, norm=rmsnorm, activation=swiglu, no window -> Llama (grouped-query
  attention, tied or untied embeddings, rope_theta, rms_norm_eps; storylab's optional
  biases become `attention_bias`/`mlp_bias`, with zeros where storylab has none).
- positions=learned, norm=layernorm, activation=gelu (tanh approximation, HF's
  `gelu_new`) -> GPT-Neo (global and local attention layers with `window_size`; in HF's
  GPT-Neo a local layer lets query i see key j when 0 <= i - j < window_size, exactly
  storylab's `window`). GPT-Neo always has biases in LayerNorm, the attention output and
  the MLP, and none in q/k/v: missing storylab biases are exported as zeros, and q/k/v
  biases are refused. Grouped-query attention is exported by repeating k/v heads.
- anything else (alibi, rope with layernorm or gelu, learned with rmsnorm or swiglu,
  rope with a window) is refused with a message that names the option.

Attention scaling: Llama scales scores by 1/sqrt(d_head), GPT-Neo not at all
(`attn_scale = 1.0` in storylab). A storylab model whose scale differs from the target's
is exported with the ratio folded into the query weights, which is exact up to float
rounding. Importing GPT-Neo gives `attn_scale = 1.0`.

Tokenizers are written as `tokenizer.json` + `tokenizer_config.json` loadable with
`AutoTokenizer` (class PreTrainedTokenizerFast), with `<|endoftext|>` as bos/eos. A
Hugging Face tokenizer without `<|endoftext|>` (Llama's has <s> and </s>) is imported
with its BOS token renamed to `<|endoftext|>`, the token storylab puts before every
story and starts unprompted samples from; `</s>` stays and `storylab sample` stops at
it as well. The renaming is recorded in the run's `interop.json` and undone on export.

Context: GPT-Neo TinyStories models were trained with 512-token windows although their
configs say 2048; `import_hf(..., context=512)` (CLI `--context 512`) keeps the first
512 position embeddings. By default the config's `max_position_embeddings` is used.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import torch
from tokenizers import Tokenizer

from storylab.config import ModelConfig
from storylab.errors import StorylabError
from storylab.locks import locked
from storylab.interop.common import quiet_transformers, read_source, require_transformers, write_run
from storylab.rundir import RunDir
from storylab.model import GPT
from storylab.tokenizer import EOT

LLAMA, GPT_NEO = "llama", "gpt_neo"
ARCH = {LLAMA: "LlamaForCausalLM", GPT_NEO: "GPTNeoForCausalLM"}


# --- which family -------------------------------------------------------------------


def hf_family(cfg: ModelConfig) -> str:
    """"llama" or "gpt_neo" for a storylab config, or a StorylabError naming what neither supports."""
    if cfg.positions == "alibi":
        raise StorylabError("cannot export to Hugging Face: positions=alibi (neither LlamaForCausalLM nor "
                            "GPTNeoForCausalLM has ALiBi attention biases)")
    problems = []
    if cfg.positions == "rope":
        family, name = LLAMA, "LlamaForCausalLM"
        if cfg.norm != "rmsnorm":
            problems.append(f"norm={cfg.norm} (Llama uses rmsnorm)")
        if cfg.activation != "swiglu":
            problems.append(f"activation={cfg.activation} (Llama uses swiglu)")
        if cfg.window:
            problems.append(f"window={cfg.window} (Llama has no sliding-window attention)")
    else:
        family, name = GPT_NEO, "GPTNeoForCausalLM"
        if cfg.norm != "layernorm":
            problems.append(f"norm={cfg.norm} (GPT-Neo uses layernorm)")
        if cfg.activation != "gelu":
            problems.append(f"activation={cfg.activation} (GPT-Neo uses gelu)")
        if cfg.qkv_bias:
            problems.append("qkv_bias=true (GPT-Neo has no q/k/v biases)")
    if problems:
        raise StorylabError(f"cannot export to Hugging Face: positions={cfg.positions} maps to {name}, "
                            f"which cannot represent " + "; ".join(problems))
    return family


def _attention_types(kinds: list[str]) -> list:
    """GPT-Neo's compact `attention_types` for a per-layer list of 'global'/'local'."""
    n = len(kinds)
    for p in range(1, n + 1):
        if n % p == 0 and kinds == kinds[:p] * (n // p):
            return [[kinds[:p], n // p]]
    raise AssertionError("unreachable")


# --- storylab -> Hugging Face -----------------------------------------------------------


def _zeros_or(sd: dict, key: str, n: int) -> torch.Tensor:
    return sd[key] if key in sd else torch.zeros(n)


def to_hf(model, bos_id: int | None = None, eos_id=None):
    """(transformers config, state dict) equivalent to a storylab GPT."""
    tf = require_transformers()
    cfg: ModelConfig = model.cfg
    family = hf_family(cfg)
    sd = {k: v.detach().float().cpu().clone() for k, v in model.state_dict().items()}
    H, K, D, d, hid = cfg.n_heads, cfg.kv_heads, cfg.d_head, cfg.d_model, cfg.hidden
    scale = cfg.attn_scale or 1.0 / math.sqrt(D)
    target = 1.0 / math.sqrt(D) if family == LLAMA else 1.0
    fold = scale / target
    out = {}
    common = dict(vocab_size=cfg.vocab_size, hidden_size=d, max_position_embeddings=cfg.context,
                  tie_word_embeddings=cfg.tie_embeddings, bos_token_id=bos_id, eos_token_id=eos_id,
                  architectures=[ARCH[family]])
    for l in range(cfg.n_layers):
        p = f"blocks.{l}."
        q, k, v = sd[p + "attn.qkv.weight"].split([H * D, K * D, K * D])
        if cfg.qkv_bias:
            qb, kb, vb = sd[p + "attn.qkv.bias"].split([H * D, K * D, K * D])
        else:
            qb, kb, vb = torch.zeros(H * D), torch.zeros(K * D), torch.zeros(K * D)
        if fold != 1.0:
            q, qb = q * fold, qb * fold
        if family == LLAMA:
            h = f"model.layers.{l}."
            out[h + "input_layernorm.weight"] = sd[p + "ln1.weight"]
            out[h + "post_attention_layernorm.weight"] = sd[p + "ln2.weight"]
            out[h + "self_attn.q_proj.weight"], out[h + "self_attn.k_proj.weight"] = q, k
            out[h + "self_attn.v_proj.weight"], out[h + "self_attn.o_proj.weight"] = v, sd[p + "attn.out.weight"]
            if cfg.qkv_bias or cfg.bias:
                out[h + "self_attn.q_proj.bias"], out[h + "self_attn.k_proj.bias"] = qb, kb
                out[h + "self_attn.v_proj.bias"] = vb
                out[h + "self_attn.o_proj.bias"] = _zeros_or(sd, p + "attn.out.bias", d)
            gate, up = sd[p + "mlp.fc.weight"].split(hid)
            out[h + "mlp.gate_proj.weight"], out[h + "mlp.up_proj.weight"] = gate, up
            out[h + "mlp.down_proj.weight"] = sd[p + "mlp.proj.weight"]
            if cfg.bias:
                out[h + "mlp.gate_proj.bias"], out[h + "mlp.up_proj.bias"] = sd[p + "mlp.fc.bias"].split(hid)
                out[h + "mlp.down_proj.bias"] = sd[p + "mlp.proj.bias"]
        else:
            if K != H:  # grouped-query attention: each k/v head serves H // K query heads
                k = k.view(K, D, d).repeat_interleave(H // K, dim=0).reshape(H * D, d)
                v = v.view(K, D, d).repeat_interleave(H // K, dim=0).reshape(H * D, d)
            h = f"transformer.h.{l}."
            a = h + "attn.attention."
            out[h + "ln_1.weight"], out[h + "ln_1.bias"] = sd[p + "ln1.weight"], _zeros_or(sd, p + "ln1.bias", d)
            out[h + "ln_2.weight"], out[h + "ln_2.bias"] = sd[p + "ln2.weight"], _zeros_or(sd, p + "ln2.bias", d)
            out[a + "q_proj.weight"], out[a + "k_proj.weight"], out[a + "v_proj.weight"] = q, k, v
            out[a + "out_proj.weight"] = sd[p + "attn.out.weight"]
            out[a + "out_proj.bias"] = _zeros_or(sd, p + "attn.out.bias", d)
            out[h + "mlp.c_fc.weight"] = sd[p + "mlp.fc.weight"]
            out[h + "mlp.c_fc.bias"] = _zeros_or(sd, p + "mlp.fc.bias", hid)
            out[h + "mlp.c_proj.weight"] = sd[p + "mlp.proj.weight"]
            out[h + "mlp.c_proj.bias"] = _zeros_or(sd, p + "mlp.proj.bias", d)
    lm_head = sd["wte.weight"] if cfg.tie_embeddings else sd["lm_head.weight"]
    if family == LLAMA:
        out["model.embed_tokens.weight"] = sd["wte.weight"]
        out["model.norm.weight"] = sd["ln_final.weight"]
        out["lm_head.weight"] = lm_head
        hf_cfg = tf.LlamaConfig(**common, intermediate_size=hid, num_hidden_layers=cfg.n_layers,
                                num_attention_heads=H, num_key_value_heads=K, head_dim=D, hidden_act="silu",
                                rms_norm_eps=cfg.norm_eps, rope_theta=cfg.rope_theta,
                                attention_bias=cfg.qkv_bias or cfg.bias, mlp_bias=cfg.bias)
        _set_rope_theta(hf_cfg, cfg.rope_theta)
    else:
        out["transformer.wte.weight"] = sd["wte.weight"]
        out["transformer.wpe.weight"] = sd["wpe.weight"]
        out["transformer.ln_f.weight"] = sd["ln_final.weight"]
        out["transformer.ln_f.bias"] = _zeros_or(sd, "ln_final.bias", d)
        out["lm_head.weight"] = lm_head
        kinds = ["local" if cfg.is_local(l) else "global" for l in range(cfg.n_layers)]
        hf_cfg = tf.GPTNeoConfig(**common, num_layers=cfg.n_layers, num_heads=H,
                                 attention_types=_attention_types(kinds), window_size=cfg.window or cfg.context,
                                 intermediate_size=hid, activation_function="gelu_new",
                                 layer_norm_epsilon=cfg.norm_eps, embed_dropout=0.0, resid_dropout=0.0,
                                 attention_dropout=0.0)
    return hf_cfg, out


def _set_rope_theta(hf_cfg, theta: float) -> None:
    """transformers 5 keeps rope_theta in `rope_parameters`; 4.x as an attribute."""
    params = getattr(hf_cfg, "rope_parameters", None)
    if isinstance(params, dict):
        params["rope_theta"] = theta
    else:
        hf_cfg.rope_theta = theta


def _rope(hf_cfg) -> tuple[float, str]:
    params = getattr(hf_cfg, "rope_parameters", None) or {}
    scaling = getattr(hf_cfg, "rope_scaling", None) or {}
    theta = params.get("rope_theta", getattr(hf_cfg, "rope_theta", 10000.0))
    kind = params.get("rope_type") or scaling.get("rope_type") or scaling.get("type") or "default"
    return float(theta), kind


def hf_model_from(model, bos_id=None, eos_id=None):
    """A transformers model (eval mode, fp32) equivalent to a storylab GPT."""
    tf = require_transformers()
    hf_cfg, sd = to_hf(model, bos_id, eos_id)
    cls = tf.LlamaForCausalLM if hf_cfg.model_type == LLAMA else tf.GPTNeoForCausalLM
    hf = cls(hf_cfg)
    missing, unexpected = hf.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise RuntimeError(f"export to {cls.__name__}: missing {missing[:4]}, unexpected {unexpected[:4]}")
    return hf.float().eval()


# --- tokenizers ------------------------------------------------------------------------


def _rename_tokens(tok_json: str, names: dict[str, str]) -> str:
    """tokenizer.json with tokens renamed everywhere (vocab, added tokens, post-processor)."""
    if not names:
        return tok_json

    def walk(x):
        if isinstance(x, dict):
            return {names.get(k, k): walk(v) for k, v in x.items()}
        if isinstance(x, list):
            return [walk(v) for v in x]
        if isinstance(x, str):
            return names.get(x, x)
        return x

    d = json.loads(tok_json)
    model = d.get("model", {})
    merges = model.pop("merges", None)  # pieces, not special tokens: leave them alone
    d = walk(d)
    if merges is not None:
        d["model"]["merges"] = merges
    return json.dumps(d, ensure_ascii=False)


def _save_hf_tokenizer(tok, out: Path, context: int, names: dict[str, str]) -> dict:
    """Write tokenizer.json + tokenizer_config.json; return the special tokens used."""
    tf = require_transformers()
    tok = Tokenizer.from_str(_rename_tokens(tok.to_str(), names))
    vocab = tok.get_vocab()
    bos = names.get(EOT, EOT)
    eos = "</s>" if "</s>" in vocab else bos
    special = {"bos_token": bos, "eos_token": eos}
    if "<unk>" in vocab:
        special["unk_token"] = "<unk>"
    fast = tf.PreTrainedTokenizerFast(tokenizer_object=tok, model_max_length=context, **special)
    fast.save_pretrained(str(out))
    cfg_path = out / "tokenizer_config.json"
    tc = json.loads(cfg_path.read_text(encoding="utf-8"))
    tc["tokenizer_class"] = "PreTrainedTokenizerFast"  # what transformers 4.x and 5.x both know
    cfg_path.write_text(json.dumps(tc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return special


# --- the verbs --------------------------------------------------------------------------


@dataclass
class ExportResult:
    out: Path
    architecture: str
    n_params: int
    max_abs_diff: float

    def summary(self) -> str:
        return (f"export-hf: {self.architecture}, {self.n_params:,} parameters, tokenizer included; logits match "
                f"storylab within {self.max_abs_diff:.1e} -> {self.out}")


def _compare(model, hf, n_tokens: int = 24, seed: int = 0) -> float:
    g = torch.Generator().manual_seed(seed)
    T = min(n_tokens, model.cfg.context)
    idx = torch.randint(0, model.cfg.vocab_size, (2, T), generator=g)
    with torch.no_grad():
        a = model.float().eval()(idx)
        b = hf(input_ids=idx).logits.float()
    return float((a - b).abs().max())


@locked("out", check=False)  # <out>.lock beside the directory that is renamed into place
def export_hf(run: str | os.PathLike, out: str | os.PathLike, checkpoint: str | os.PathLike | None = None,
              overwrite: bool = False, verify: bool = True) -> ExportResult:
    """A storylab run (its latest checkpoint, or `checkpoint`) -> a Hugging Face model directory."""
    rd, out = RunDir.open(run), Path(out)
    model, tok = rd.load(checkpoint)
    model = model.float()
    family = hf_family(model.cfg)  # refuse before doing any work
    names = {k: v for k, v in (read_source(rd.path).get("hf_names") or {}).items()}
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not overwrite:
        raise StorylabError(f"{out} already exists and is not empty (choose another --out, or --force)")
    eot = tok.token_to_id(EOT)
    eos = [eot] + [i for i in (tok.token_to_id("</s>"),) if i is not None and i != eot]
    hf = hf_model_from(model, bos_id=eot, eos_id=eos[0] if len(eos) == 1 else eos)
    if getattr(hf, "generation_config", None) is not None:
        hf.generation_config.bos_token_id = eot
        hf.generation_config.eos_token_id = eos[0] if len(eos) == 1 else eos
    diff = _compare(model, hf) if verify else float("nan")
    if verify and not diff <= 1e-3:
        raise RuntimeError(f"export-hf: transformers' logits differ from storylab's by {diff:.2e}")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        with quiet_transformers():
            hf.save_pretrained(str(tmp), safe_serialization=True)
            _save_hf_tokenizer(tok, tmp, model.cfg.context, names)
        if out.exists():
            shutil.rmtree(out)
        os.chmod(tmp, 0o755)
        os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportResult(out, ARCH[family], model.num_params(), diff)


def from_hf(hf_cfg, sd: dict[str, torch.Tensor], context: int | None = None) -> tuple[ModelConfig, dict]:
    """(storylab config, storylab state dict) from a transformers Llama or GPT-Neo config + state dict."""
    kind = getattr(hf_cfg, "model_type", None)
    sd = {k: v.detach().float().cpu() for k, v in sd.items()}
    tie = bool(getattr(hf_cfg, "tie_word_embeddings", True))
    out = {}
    if kind == LLAMA:
        d, H = hf_cfg.hidden_size, hf_cfg.num_attention_heads
        K = getattr(hf_cfg, "num_key_value_heads", None) or H
        D = getattr(hf_cfg, "head_dim", None) or d // H
        if D * H != d:
            raise StorylabError(f"cannot import: head_dim={D} x num_attention_heads={H} != hidden_size={d} "
                                "(storylab's heads split d_model)")
        if hf_cfg.hidden_act != "silu":
            raise StorylabError(f"cannot import: hidden_act={hf_cfg.hidden_act} (storylab's swiglu uses silu)")
        theta, rope_type = _rope(hf_cfg)
        if rope_type != "default":
            raise StorylabError(f"cannot import: rope scaling (rope_type={rope_type}) is not supported")
        abias, mbias = bool(getattr(hf_cfg, "attention_bias", False)), bool(getattr(hf_cfg, "mlp_bias", False))
        ctx = context or hf_cfg.max_position_embeddings
        cfg = ModelConfig(vocab_size=hf_cfg.vocab_size, context=ctx, d_model=d, n_layers=hf_cfg.num_hidden_layers,
                          n_heads=H, n_kv_heads=K if K != H else 0, d_mlp=hf_cfg.intermediate_size,
                          positions="rope", norm="rmsnorm", activation="swiglu", tie_embeddings=tie,
                          bias=abias or mbias, qkv_bias=abias, norm_eps=hf_cfg.rms_norm_eps, rope_theta=theta)
        hid = cfg.hidden
        for l in range(cfg.n_layers):
            h, p = f"model.layers.{l}.", f"blocks.{l}."
            out[p + "ln1.weight"] = sd[h + "input_layernorm.weight"]
            out[p + "ln2.weight"] = sd[h + "post_attention_layernorm.weight"]
            out[p + "attn.qkv.weight"] = torch.cat([sd[h + f"self_attn.{x}_proj.weight"] for x in "qkv"])
            out[p + "attn.out.weight"] = sd[h + "self_attn.o_proj.weight"]
            if abias:
                out[p + "attn.qkv.bias"] = torch.cat([sd[h + f"self_attn.{x}_proj.bias"] for x in "qkv"])
            if cfg.bias:
                out[p + "attn.out.bias"] = _zeros_or(sd, h + "self_attn.o_proj.bias", d)
                out[p + "mlp.fc.bias"] = torch.cat([_zeros_or(sd, h + "mlp.gate_proj.bias", hid),
                                                    _zeros_or(sd, h + "mlp.up_proj.bias", hid)])
                out[p + "mlp.proj.bias"] = _zeros_or(sd, h + "mlp.down_proj.bias", d)
            out[p + "mlp.fc.weight"] = torch.cat([sd[h + "mlp.gate_proj.weight"], sd[h + "mlp.up_proj.weight"]])
            out[p + "mlp.proj.weight"] = sd[h + "mlp.down_proj.weight"]
        out["wte.weight"] = sd["model.embed_tokens.weight"]
        out["ln_final.weight"] = sd["model.norm.weight"]
        if not tie:
            out["lm_head.weight"] = sd["lm_head.weight"]
    elif kind == GPT_NEO:
        d, H = hf_cfg.hidden_size, hf_cfg.num_heads
        act = hf_cfg.activation_function
        if act not in ("gelu_new", "gelu_pytorch_tanh", "gelu_fast"):
            raise StorylabError(f"cannot import: activation_function={act} (storylab's gelu is the tanh "
                                "approximation, HF's gelu_new)")
        kinds = list(hf_cfg.attention_layers)
        local = [i for i, t in enumerate(kinds) if t == "local"]
        max_pos = hf_cfg.max_position_embeddings
        ctx = context or max_pos
        if ctx > max_pos:
            raise StorylabError(f"--context {ctx} exceeds the model's {max_pos} learned positions")
        cfg = ModelConfig(vocab_size=hf_cfg.vocab_size, context=ctx, d_model=d, n_layers=hf_cfg.num_layers,
                          n_heads=H, d_mlp=hf_cfg.intermediate_size or 4 * d, positions="learned",
                          norm="layernorm", activation="gelu", tie_embeddings=tie,
                          window=hf_cfg.window_size if local else 0, local_layers=local if local else [],
                          bias=True, qkv_bias=False, attn_scale=1.0, norm_eps=hf_cfg.layer_norm_epsilon)
        for l in range(cfg.n_layers):
            h, p = f"transformer.h.{l}.", f"blocks.{l}."
            a = h + "attn.attention."
            out[p + "ln1.weight"], out[p + "ln1.bias"] = sd[h + "ln_1.weight"], sd[h + "ln_1.bias"]
            out[p + "ln2.weight"], out[p + "ln2.bias"] = sd[h + "ln_2.weight"], sd[h + "ln_2.bias"]
            out[p + "attn.qkv.weight"] = torch.cat([sd[a + f"{x}_proj.weight"] for x in "qkv"])
            out[p + "attn.out.weight"], out[p + "attn.out.bias"] = sd[a + "out_proj.weight"], sd[a + "out_proj.bias"]
            out[p + "mlp.fc.weight"], out[p + "mlp.fc.bias"] = sd[h + "mlp.c_fc.weight"], sd[h + "mlp.c_fc.bias"]
            out[p + "mlp.proj.weight"], out[p + "mlp.proj.bias"] = sd[h + "mlp.c_proj.weight"], sd[h + "mlp.c_proj.bias"]
        out["wte.weight"] = sd["transformer.wte.weight"]
        out["wpe.weight"] = sd["transformer.wpe.weight"][:ctx]
        out["ln_final.weight"], out["ln_final.bias"] = sd["transformer.ln_f.weight"], sd["transformer.ln_f.bias"]
        if not tie:
            out["lm_head.weight"] = sd["lm_head.weight"]
    else:
        raise StorylabError(f"cannot import model_type={kind!r}: storylab imports llama and gpt_neo models")
    return cfg, out


def _hf_tokenizer_json(src: str) -> tuple[str, dict[str, str]]:
    """(storylab-ready tokenizer.json, renamed tokens {storylab name: original}) of a HF model."""
    tf = require_transformers()
    try:
        with quiet_transformers():
            hft = tf.AutoTokenizer.from_pretrained(src)
    except Exception as e:
        raise StorylabError(f"{src}: cannot load its tokenizer ({str(e).splitlines()[0][:160]})") from None
    backend = getattr(hft, "backend_tokenizer", None)
    if backend is None:
        raise StorylabError(f"{src}: its tokenizer has no `tokenizers` (fast) version; storylab needs tokenizer.json")
    tok_json = backend.to_str()
    if backend.token_to_id(EOT) is not None:
        return tok_json, {}
    old = hft.bos_token or hft.eos_token
    if old is None or backend.token_to_id(old) is None:
        raise StorylabError(f"{src}: its tokenizer has neither {EOT} nor a BOS/EOS token to use as the story separator")
    return _rename_tokens(tok_json, {old: EOT}), {EOT: old}


@dataclass
class HFImportResult:
    out: Path
    config: ModelConfig
    model_type: str
    n_params: int
    renamed: dict

    def summary(self) -> str:
        c = self.config
        extra = f"; token {self.renamed[EOT]!r} is now {EOT}" if self.renamed else ""
        return (f"import-hf: {self.model_type}, {self.n_params:,} parameters (d_model={c.d_model}, "
                f"layers={c.n_layers}, vocab={c.vocab_size}, context={c.context}){extra} -> {self.out}")


def import_hf(src: str | os.PathLike, out: str | os.PathLike, context: int | None = None,
              overwrite: bool = False) -> HFImportResult:
    """A Hugging Face model directory (or Hub name) of the Llama or GPT-Neo family -> a storylab run."""
    tf = require_transformers()
    src_s = str(src)
    if context is not None and context <= 0:
        raise StorylabError("--context must be positive")
    try:
        hf_cfg = tf.AutoConfig.from_pretrained(src_s)
    except Exception as e:
        where = "directory" if Path(src_s).exists() else "directory or Hub model name (offline?)"
        raise StorylabError(f"{src_s}: not a Hugging Face model {where} "
                            f"({str(e).splitlines()[0][:160]})") from None
    if hf_cfg.model_type not in (LLAMA, GPT_NEO):
        raise StorylabError(f"cannot import model_type={hf_cfg.model_type!r}: storylab imports llama and gpt_neo")
    try:
        with quiet_transformers():
            hf = tf.AutoModelForCausalLM.from_pretrained(src_s)
    except Exception as e:
        raise StorylabError(f"{src_s}: cannot load the model weights ({str(e).splitlines()[0][:160]})") from None
    cfg, sd = from_hf(hf.config, hf.state_dict(), context)
    del hf
    tok_json, renamed = _hf_tokenizer_json(src_s)
    tok = Tokenizer.from_str(tok_json)
    if tok.get_vocab_size() > cfg.vocab_size:
        raise StorylabError(f"{src_s}: tokenizer has {tok.get_vocab_size()} tokens but the model only {cfg.vocab_size}")
    model = GPT(cfg)
    missing, unexpected = model.load_state_dict(sd, strict=False)
    if missing or unexpected:
        raise RuntimeError(f"import-hf: missing {missing[:4]}, unexpected {unexpected[:4]}")
    source = {"format": f"huggingface {hf_cfg.model_type}", "source": src_s,
              "architectures": list(getattr(hf_cfg, "architectures", None) or [])}
    if renamed:
        source["hf_names"] = renamed
    write_run(out, model, tok, source, overwrite=overwrite)
    return HFImportResult(Path(out), cfg, hf_cfg.model_type, model.num_params(), renamed)
