"""A GPT-style decoder with the options the science needs, and named hook points.

Hook points are `HookPoint` modules, so their names come from the module tree as in
TransformerLens (``hook_embed``, ``blocks.0.attn.hook_pattern``, ``blocks.3.mlp.hook_post``,
``ln_final.hook_normalized``, ...). The forward pass takes an optional `hooks` object;
when it is None (training, sampling) a hook point costs one `if` and is never called,
and attention goes through `scaled_dot_product_attention`. Only a layer whose scores or
pattern are asked for computes attention by hand.

Shapes: B batch, T new tokens, S keys (cache + new), C d_model, H query heads, K key/value
heads, D head size, V vocabulary.
"""

from __future__ import annotations

import math
from typing import Callable, Iterable

import torch
import torch.nn as nn
import torch.nn.functional as F

from storylab.config import ModelConfig
from storylab.fused_loss import linear_cross_entropy

HookFn = Callable[[torch.Tensor, str], "torch.Tensor | None"]


class Hooks:
    """What to do at hook points during one forward pass: cache some, edit some."""

    def __init__(self, cache_names: Iterable[str] | Callable[[str], bool] | None = None,
                 fns: dict[str, HookFn] | None = None, detach: bool = True):
        if cache_names is None:
            self.want = lambda name: False
        elif callable(cache_names):
            self.want = cache_names
        else:
            names = set(cache_names)
            self.want = names.__contains__
        self.fns = fns or {}
        self.detach = detach
        self.cache: dict[str, torch.Tensor] = {}

    def active(self, name: str) -> bool:
        return name in self.fns or self.want(name)

    def __call__(self, name: str, x: torch.Tensor) -> torch.Tensor:
        fn = self.fns.get(name)
        if fn is not None:
            out = fn(x, name)
            if out is not None:
                x = out
        if self.want(name):
            self.cache[name] = x.detach() if self.detach else x
        return x


class HookPoint(nn.Module):
    """An identity that reports `x` to the forward pass' `Hooks` under its module-tree name."""

    def __init__(self):
        super().__init__()
        self.name = ""  # set by GPT once the tree is built

    def forward(self, x: torch.Tensor, hooks: Hooks) -> torch.Tensor:
        return hooks(self.name, x)


class RMSNorm(nn.Module):
    def __init__(self, d: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return F.rms_norm(x, (x.shape[-1],), self.weight, self.eps)


def make_norm(cfg: ModelConfig) -> nn.Module:
    """A norm with a `hook_normalized` point inside it (no parameters: checkpoints are unchanged)."""
    norm = RMSNorm(cfg.d_model, cfg.norm_eps) if cfg.norm == "rmsnorm" else \
        nn.LayerNorm(cfg.d_model, eps=cfg.norm_eps, bias=cfg.bias)
    norm.hook_normalized = HookPoint()
    return norm


def alibi_slopes(n_heads: int) -> torch.Tensor:
    """ALiBi's geometric slopes (Press et al.), including the non-power-of-two rule."""
    def powers(n):
        start = 2 ** (-8 / n)
        return [start ** (i + 1) for i in range(n)]

    if math.log2(n_heads).is_integer():
        return torch.tensor(powers(n_heads))
    closest = 2 ** math.floor(math.log2(n_heads))
    return torch.tensor(powers(closest) + powers(2 * closest)[0::2][: n_heads - closest])


def rope_tables(d_head: int, context: int, theta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """cos/sin tables in the rotate-half layout used by Hugging Face Llama."""
    inv = 1.0 / theta ** (torch.arange(0, d_head, 2, dtype=torch.float64) / d_head)
    ang = torch.outer(torch.arange(context, dtype=torch.float64), inv)
    ang = torch.cat([ang, ang], dim=-1)
    return ang.cos().float(), ang.sin().float()


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """x: [B, H, T, D]; cos/sin: [T, D]."""
    half = x.shape[-1] // 2
    rot = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
    return x * cos + rot * sin


class Attention(nn.Module):
    def __init__(self, cfg: ModelConfig, layer: int):
        super().__init__()
        self.cfg = cfg
        self.layer = layer
        self.n_heads, self.n_kv, self.d_head = cfg.n_heads, cfg.kv_heads, cfg.d_head
        self.qkv = nn.Linear(cfg.d_model, (self.n_heads + 2 * self.n_kv) * self.d_head, bias=cfg.qkv_bias)
        self.out = nn.Linear(self.n_heads * self.d_head, cfg.d_model, bias=cfg.bias)
        self.scale = cfg.attn_scale or 1.0 / math.sqrt(self.d_head)
        self.local = cfg.is_local(layer)
        for name in ("hook_q", "hook_k", "hook_v", "hook_attn_scores", "hook_pattern", "hook_z"):
            setattr(self, name, HookPoint())

    def forward(self, x, bias, rope, hooks: Hooks | None, kv_cache=None, pos: int = 0):
        B, T, _ = x.shape                                          # x: [B, T, C]
        H, K, D = self.n_heads, self.n_kv, self.d_head
        q, k, v = self.qkv(x).split([H * D, K * D, K * D], dim=-1)
        q = q.view(B, T, H, D)
        k = k.view(B, T, K, D)
        v = v.view(B, T, K, D)
        if hooks is not None:
            q, k, v = self.hook_q(q, hooks), self.hook_k(k, hooks), self.hook_v(v, hooks)
        q, k, v = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)  # [B, H, T, D], [B, K, T, D] x2
        if rope is not None:
            cos, sin = rope
            q, k = apply_rope(q, cos[pos:pos + T], sin[pos:pos + T]), apply_rope(k, cos[pos:pos + T], sin[pos:pos + T])
        if kv_cache is not None:
            k, v = kv_cache.update(self.layer, k, v, pos)          # [B, K, S, D]: cached keys, then these
        S = k.shape[2]
        mask = None if bias is None else bias[..., pos:pos + T, :S]  # [T, S] bool, or [H, T, S] ALiBi bias

        manual = hooks is not None and (hooks.active(self.hook_attn_scores.name) or hooks.active(self.hook_pattern.name))
        if mask is None and T not in (1, S):  # chunked prefill onto a cache: causal, offset
            mask = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(S - T)
        if not manual:
            if self.training and q.dtype == torch.bfloat16 and q.device.type == "cpu":
                # CPU flash attention's bf16 backward is slower than its fp32 one (d_head 32: 72 vs 51 ms)
                q, k, v = q.float(), k.float(), v.float()
                y_dtype = torch.bfloat16
            else:
                y_dtype = q.dtype
            if mask is not None and mask.dtype != torch.bool:
                mask = mask.to(q.dtype).expand(B, -1, -1, -1)  # [B, H, T, S]: CPU SDPA is ~1.6x faster than with [H, T, S]
            y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=mask is None and T > 1,
                                               scale=self.scale, enable_gqa=K != H).to(y_dtype)  # [B, H, T, D]
        else:
            if K != H:
                k, v = k.repeat_interleave(H // K, dim=1), v.repeat_interleave(H // K, dim=1)  # [B, H, S, D]
            scores = (q @ k.transpose(-2, -1)) * self.scale       # [B, H, T, S]
            if mask is None:
                causal = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(S - T)
                scores = scores.masked_fill(~causal, float("-inf"))
            elif mask.dtype == torch.bool:
                scores = scores.masked_fill(~mask, float("-inf"))
            else:
                scores = scores + mask
            scores = self.hook_attn_scores(scores, hooks)
            pattern = self.hook_pattern(scores.softmax(dim=-1), hooks)  # [B, H, T, S], rows sum to 1
            y = pattern.to(v.dtype) @ v                            # [B, H, T, D]
        y = y.transpose(1, 2)                                      # [B, T, H, D]
        if hooks is not None:
            y = self.hook_z(y, hooks)
        return self.out(y.reshape(B, T, H * D))                    # [B, T, C]


class MLP(nn.Module):
    def __init__(self, cfg: ModelConfig, layer: int):
        super().__init__()
        self.swiglu = cfg.activation == "swiglu"
        self.hidden = cfg.hidden
        self.fc = nn.Linear(cfg.d_model, self.hidden * (2 if self.swiglu else 1), bias=cfg.bias)
        self.proj = nn.Linear(self.hidden, cfg.d_model, bias=cfg.bias)
        self.hook_pre = HookPoint()
        if self.swiglu:
            self.hook_pre_linear = HookPoint()
        self.hook_post = HookPoint()

    def forward(self, x, hooks: Hooks | None):
        h = self.fc(x)                                             # [B, T, hidden] (x2 for SwiGLU)
        if self.swiglu:
            gate, up = h.split(self.hidden, dim=-1)
            if hooks is not None:
                gate, up = self.hook_pre(gate, hooks), self.hook_pre_linear(up, hooks)
            h = F.silu(gate) * up
        else:
            if hooks is not None:
                h = self.hook_pre(h, hooks)
            h = F.gelu(h, approximate="tanh")
        if hooks is not None:
            h = self.hook_post(h, hooks)
        return self.proj(h)                                        # [B, T, C]


class Block(nn.Module):
    def __init__(self, cfg: ModelConfig, layer: int):
        super().__init__()
        self.hook_resid_pre = HookPoint()
        self.ln1 = make_norm(cfg)
        self.attn = Attention(cfg, layer)
        self.hook_attn_out = HookPoint()
        self.hook_resid_mid = HookPoint()
        self.ln2 = make_norm(cfg)
        self.mlp = MLP(cfg, layer)
        self.hook_mlp_out = HookPoint()
        self.hook_resid_post = HookPoint()
        self.dropout = nn.Dropout(cfg.dropout) if cfg.dropout else None

    def forward(self, x, bias, rope, hooks=None, kv_cache=None, pos=0):  # x: [B, T, C] -> [B, T, C]
        if hooks is None:
            a = self.attn(self.ln1(x), bias, rope, None, kv_cache, pos)
            x = x + (self.dropout(a) if self.dropout else a)
            m = self.mlp(self.ln2(x), None)
            return x + (self.dropout(m) if self.dropout else m)
        x = self.hook_resid_pre(x, hooks)
        a = self.attn(self.ln1.hook_normalized(self.ln1(x), hooks), bias, rope, hooks, kv_cache, pos)
        a = self.hook_attn_out(a, hooks)
        x = self.hook_resid_mid(x + (self.dropout(a) if self.dropout else a), hooks)
        m = self.hook_mlp_out(self.mlp(self.ln2.hook_normalized(self.ln2(x), hooks), hooks), hooks)
        return self.hook_resid_post(x + (self.dropout(m) if self.dropout else m), hooks)


class KVCache:
    """Preallocated keys and values for incremental decoding."""

    def __init__(self, cfg: ModelConfig, batch: int, length: int, device, dtype):
        shape = (cfg.n_layers, batch, cfg.kv_heads, length, cfg.d_head)
        self.k = torch.zeros(shape, device=device, dtype=dtype)
        self.v = torch.zeros(shape, device=device, dtype=dtype)

    def update(self, layer: int, k, v, pos: int):
        T = k.shape[2]
        self.k[layer, :, :, pos:pos + T] = k
        self.v[layer, :, :, pos:pos + T] = v
        return self.k[layer, :, :, :pos + T], self.v[layer, :, :, :pos + T]


SDPA_FROM = 128  # cache length from which decode attention uses the fused kernel (no bias only)


def _decode_attention(attn: "Attention", x, rope_row, bias_row, cache_k, cache_v, pos, S: int):
    """One new token per row against a static cache: x [B, C] -> [B, C].

    `pos` is an int (eager: attend to the first pos+1 slots) or a 0-d tensor (a fixed-shape
    step for torch.compile: attend to all S slots, the future ones masked by `bias_row`)."""
    B = x.shape[0]
    H, K, D = attn.n_heads, attn.n_kv, attn.d_head
    q, k, v = attn.qkv(x).split([H * D, K * D, K * D], dim=-1)
    q, k, v = q.view(B, H, D), k.view(B, K, D), v.view(B, K, D)
    if rope_row is not None:
        cos, sin = rope_row                                        # [D] each
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
    if isinstance(pos, int):
        cache_k[:, :, pos] = k
        cache_v[:, :, pos] = v
        keys, values = cache_k[:, :, :pos + 1], cache_v[:, :, :pos + 1]  # [B, K, S', D]
    else:
        cache_k.index_copy_(2, pos.view(1), k.unsqueeze(2))
        cache_v.index_copy_(2, pos.view(1), v.unsqueeze(2))
        keys, values = cache_k, cache_v
    q = q.view(B, K, H // K, D)                                    # query groups share a key/value head
    if bias_row is None and isinstance(pos, int) and pos >= SDPA_FROM:
        # fused: no [B, K, G, S'] score tensor to write and read back (faster at long S, measured
        # at batch 1024 on CPU; slower with a bias or a short cache, so only here)
        y = F.scaled_dot_product_attention(q, keys, values, scale=attn.scale)
    else:
        scores = (q * attn.scale) @ keys.transpose(-2, -1)          # [B, K, G, S'] (scaled q: one pass less)
        if bias_row is not None:
            scores = scores + bias_row
        y = scores.softmax(-1).to(values.dtype) @ values           # [B, K, G, D]
    return attn.out(y.reshape(B, H * D))


class GPT(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        self.wte = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.hook_embed = HookPoint()
        self.wpe = nn.Embedding(cfg.context, cfg.d_model) if cfg.positions == "learned" else None
        self.hook_pos_embed = HookPoint() if self.wpe is not None else None
        self.blocks = nn.ModuleList(Block(cfg, i) for i in range(cfg.n_layers))
        self.ln_final = make_norm(cfg)
        self.lm_head = None if cfg.tie_embeddings else nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.drop = nn.Dropout(cfg.dropout) if cfg.dropout else None
        if cfg.positions == "rope":
            cos, sin = rope_tables(cfg.d_head, cfg.context, cfg.rope_theta)
            self.register_buffer("rope_cos", cos, persistent=False)
            self.register_buffer("rope_sin", sin, persistent=False)
        self._init_masks()
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2's scaled init of residual projections
            if name.endswith("attn.out.weight") or name.endswith("mlp.proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * cfg.n_layers))
        for name, m in self.named_modules():
            if isinstance(m, HookPoint):
                m.name = name

    def _init_masks(self):
        """Attention biases precomputed for the full context; forward slices them.

        None means plain causal attention (SDPA's is_causal fast path)."""
        cfg, C = self.cfg, self.cfg.context
        i = torch.arange(C)[:, None]
        j = torch.arange(C)[None, :]
        causal = j <= i
        local = causal & (i - j < cfg.window) if cfg.window else causal
        if cfg.positions == "alibi":
            slopes = alibi_slopes(cfg.n_heads)[:, None, None]
            dist = (i - j).float()
            g = (-slopes * dist).masked_fill(~causal, float("-inf"))
            self.register_buffer("alibi_global", g, persistent=False)
            if cfg.window:
                self.register_buffer("alibi_local", (-slopes * dist).masked_fill(~local, float("-inf")), persistent=False)
        elif cfg.window:
            self.register_buffer("mask_local", local, persistent=False)

    def _bias(self, layer: int):
        cfg = self.cfg
        if cfg.positions == "alibi":
            return self.alibi_local if cfg.is_local(layer) else self.alibi_global
        return self.mask_local if cfg.is_local(layer) else None

    def _init_weights(self, m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, mean=0.0, std=0.02)

    # --- counting ---------------------------------------------------------------

    def num_params(self, non_embedding: bool = False) -> int:
        """Parameters counted once (tied weights once). Non-embedding leaves out the token
        and position embeddings and an untied unembedding, as in Kaplan et al."""
        n = sum(p.numel() for p in self.parameters())
        if non_embedding:
            n -= self.wte.weight.numel()
            if self.wpe is not None:
                n -= self.wpe.weight.numel()
            if self.lm_head is not None:
                n -= self.lm_head.weight.numel()
        return n

    def flops_per_token(self) -> int:
        """Training FLOPs per token: 6N for the matmuls plus attention (PaLM appendix B)."""
        cfg = self.cfg
        n = self.num_params(non_embedding=True) + cfg.vocab_size * cfg.d_model  # the unembedding matmul counts
        attn = 12 * cfg.n_layers * cfg.d_model * cfg.context // 2  # causal: half the score matrix
        return 6 * n + attn

    # --- forward ----------------------------------------------------------------

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None, hooks: Hooks | None = None,
                kv_cache: KVCache | None = None, pos: int = 0):
        """Logits for `idx` [B, T]; with `targets`, only the mean cross-entropy.

        Returning the loss alone lets it be computed in row chunks with the unembedding
        (`fused_loss.linear_cross_entropy`) instead of writing out [B, T, vocab] logits: with
        d128/vocab 4096 a bf16 step on a CPU ran 1.3x faster, and evaluation holds no logits."""
        B, T = idx.shape
        if pos + T > self.cfg.context:
            raise ValueError(f"sequence of {pos + T} tokens exceeds the model's context of {self.cfg.context}")
        x = self.wte(idx)                                          # [B, T, C]
        if hooks is not None:
            x = self.hook_embed(x, hooks)
        if self.wpe is not None:
            pe = self.wpe.weight[pos:pos + T]                      # [T, C]
            if hooks is not None:
                pe = self.hook_pos_embed(pe, hooks)
            x = x + pe
        if self.drop is not None:
            x = self.drop(x)
        rope = (self.rope_cos, self.rope_sin) if self.cfg.positions == "rope" else None
        for layer, block in enumerate(self.blocks):
            x = block(x, self._bias(layer), rope, hooks, kv_cache, pos)
        x = self.ln_final(x)
        if hooks is not None:
            x = self.ln_final.hook_normalized(x, hooks)
        weight = self.lm_head.weight if self.lm_head is not None else self.wte.weight
        if targets is not None and hooks is None:  # the loss alone: no [B, T, V] logits (see fused_loss.py)
            return linear_cross_entropy(x, weight, targets)
        logits = F.linear(x, weight)                               # [B, T, V]
        if targets is None:
            return logits
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))  # autocast runs it in fp32

    def decode_bias(self, layer: int, pos, S: int, device) -> torch.Tensor | None:
        """Additive attention bias of the newest token at `pos` over cache slots [0, S) (or [0, pos]
        for an int `pos`): -inf for slots out of reach (future, outside a window), ALiBi's distance
        penalty, or None when every slot up to `pos` counts. Shape [H or 1, 1, S] per layer kind."""
        cfg = self.cfg
        static = not isinstance(pos, int)
        if not static and cfg.positions != "alibi" and not cfg.is_local(layer):
            return None
        j = torch.arange(S if static else pos + 1, device=device)
        dist = (pos - j).float()
        allowed = dist >= 0
        if cfg.is_local(layer):
            allowed = allowed & (dist < cfg.window)
        if cfg.positions == "alibi":
            slopes = alibi_slopes(cfg.n_heads).to(device)[:, None]
            bias = (-slopes * dist).masked_fill(~allowed, float("-inf"))  # [H, S]
            return bias.view(cfg.kv_heads, cfg.n_heads // cfg.kv_heads, S if static else pos + 1)
        return torch.zeros(j.shape, device=device).masked_fill(~allowed, float("-inf")).view(1, 1, -1)

    def decode_step(self, idx: torch.Tensor, pos, cache: KVCache) -> torch.Tensor:
        """Logits [B, V] for one new token per row, `idx` [B] at position `pos`, written into `cache`.

        The sampling fast path: no hooks, no dropout, no per-step masks from the [T, S] tables,
        grouped-query attention without repeating keys. With a tensor `pos` every shape is
        fixed (the whole cache is attended, future slots masked), so `torch.compile` can
        build it once and replay it for every token."""
        cfg = self.cfg
        S = cache.k.shape[3]
        x = self.wte(idx)                                          # [B, C]
        if self.wpe is not None:
            x = x + (self.wpe.weight[pos] if isinstance(pos, int) else self.wpe.weight.index_select(0, pos.view(1))[0])
        rope = None
        if cfg.positions == "rope":
            rope = (self.rope_cos[pos], self.rope_sin[pos]) if isinstance(pos, int) else \
                (self.rope_cos.index_select(0, pos.view(1))[0], self.rope_sin.index_select(0, pos.view(1))[0])
        biases = {}
        for layer, block in enumerate(self.blocks):
            key = (cfg.is_local(layer),)
            if key not in biases:
                biases[key] = self.decode_bias(layer, pos, S, x.device)
            x = x + _decode_attention(block.attn, block.ln1(x), rope, biases[key], cache.k[layer], cache.v[layer],
                                      pos, S)
            x = x + block.mlp(block.ln2(x), None)
        x = self.ln_final(x)
        return self.lm_head(x) if self.lm_head is not None else F.linear(x, self.wte.weight)  # [B, V]

    def run_with_cache(self, tokens: torch.Tensor, names: Iterable[str] | Callable[[str], bool] | None = None,
                       fns: dict[str, HookFn] | None = None):
        """Run the model and return (logits, cache) with activations by hook name.

        `names` picks what to cache (default: every hook point); `fns` may edit
        activations in flight (ablations, patching), TransformerLens-style.
        """
        hooks = Hooks(names if names is not None else (lambda _: True), fns)
        with torch.no_grad():
            logits = self(tokens, hooks=hooks)
        return logits, hooks.cache

    def run_with_hooks(self, tokens: torch.Tensor, fns: dict[str, HookFn]):
        return self(tokens, hooks=Hooks(None, fns))

    def hook_names(self) -> list[str]:
        """Every hook point, in the order the forward pass reaches them."""
        return [name for name, m in self.named_modules() if isinstance(m, HookPoint)]

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        for key in [k for k in state_dict if k.startswith(prefix + "ln_f.")]:  # checkpoints from before the rename
            state_dict[prefix + "ln_final." + key[len(prefix + "ln_f."):]] = state_dict.pop(key)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    def configure_optimizer(self, lr: float, weight_decay: float, betas: tuple[float, float], device_type: str):
        """AdamW with decay on matrices only (not on norms, biases, embeddings' ... vectors)."""
        decay = [p for p in self.parameters() if p.requires_grad and p.dim() >= 2]
        other = [p for p in self.parameters() if p.requires_grad and p.dim() < 2]
        groups = [{"params": decay, "weight_decay": weight_decay}, {"params": other, "weight_decay": 0.0}]
        # fused: one kernel for all parameters (CPU too, since torch 2.4); the same update, bit for bit run to run
        return torch.optim.AdamW(groups, lr=lr, betas=betas, fused=device_type in ("cuda", "cpu") or None)
