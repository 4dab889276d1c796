import itertools

import pytest
import torch

from storylab.config import ModelConfig, RunConfig, apply_overrides, dumps_toml, from_dict, load_run_config, to_dict
from storylab.errors import StorylabError
from storylab.model import GPT, Hooks, KVCache, alibi_slopes

COMBOS = list(itertools.product(["learned", "rope", "alibi"], ["layernorm", "rmsnorm"], ["gelu", "swiglu"],
                                [0, 5], [0, 2]))


def tiny(**kw):
    base = dict(vocab_size=50, context=32, d_model=32, n_layers=2, n_heads=4)
    return ModelConfig(**{**base, **kw})


@pytest.mark.parametrize("positions,norm,act,window,kv", COMBOS)
def test_fast_path_hooks_and_kv_cache_agree(positions, norm, act, window, kv):
    torch.manual_seed(0)
    cfg = tiny(positions=positions, norm=norm, activation=act, window=window, n_kv_heads=kv,
               local_layers=[1] if window else [])
    m = GPT(cfg).eval()
    x = torch.randint(0, 50, (2, 20))
    with torch.no_grad():
        fast = m(x)
        # causal: changing the future does not change the past
        x2 = x.clone()
        x2[:, 10:] = 7
        assert torch.allclose(m(x2)[:, :10], fast[:, :10], atol=1e-5)
        cache = KVCache(cfg, 2, 32, "cpu", torch.float32)
        parts = [m(x[:, :8], kv_cache=cache, pos=0), m(x[:, 8:12], kv_cache=cache, pos=8)]
        parts += [m(x[:, t:t + 1], kv_cache=cache, pos=t) for t in range(12, 20)]
    assert torch.allclose(torch.cat(parts, 1), fast, atol=1e-4)
    logits, acts = m.run_with_cache(x)  # the hand-written attention path (patterns requested)
    assert torch.allclose(logits, fast, atol=1e-5)
    assert set(acts) == set(m.hook_names())


def test_hook_shapes_and_pattern_rows_sum_to_one():
    m = GPT(tiny(n_kv_heads=2, activation="swiglu")).eval()
    x = torch.randint(0, 50, (3, 16))
    _, c = m.run_with_cache(x, names=["blocks.1.attn.hook_pattern", "blocks.0.mlp.hook_post", "blocks.1.hook_resid_post"])
    assert set(c) == {"blocks.1.attn.hook_pattern", "blocks.0.mlp.hook_post", "blocks.1.hook_resid_post"}
    p = c["blocks.1.attn.hook_pattern"]
    assert p.shape == (3, 4, 16, 16)
    assert torch.allclose(p.sum(-1), torch.ones(3, 4, 16), atol=1e-5)
    assert torch.all(p.triu(1) == 0)
    assert c["blocks.0.mlp.hook_post"].shape == (3, 16, 128)


def test_hook_functions_edit_activations():
    m = GPT(tiny()).eval()
    x = torch.randint(0, 50, (1, 10))
    zero_mlp = {f"blocks.{l}.hook_mlp_out": (lambda t, name: torch.zeros_like(t)) for l in range(2)}
    with torch.no_grad():
        edited = m.run_with_hooks(x, zero_mlp)
        plain = m(x)
    assert not torch.allclose(edited, plain)


def test_sliding_window_limits_attention():
    m = GPT(tiny(window=3)).eval()
    _, c = m.run_with_cache(torch.randint(0, 50, (1, 12)), names=["blocks.0.attn.hook_pattern"])
    p = c["blocks.0.attn.hook_pattern"][0, 0]
    i, j = torch.meshgrid(torch.arange(12), torch.arange(12), indexing="ij")
    assert torch.all(p[(i - j) >= 3] == 0) and torch.all(p[(i - j) < 3].view(-1)[:1] > 0)


def test_param_counts():
    cfg = tiny(tie_embeddings=True)
    m = GPT(cfg)
    emb = 50 * 32 + 32 * 32  # token + learned positions
    assert m.num_params() == sum(p.numel() for p in m.parameters())
    assert m.num_params() - m.num_params(non_embedding=True) == emb
    untied = GPT(tiny(tie_embeddings=False, positions="rope"))
    assert untied.num_params() - untied.num_params(non_embedding=True) == 2 * 50 * 32


def test_alibi_slopes_match_the_paper():
    assert torch.allclose(alibi_slopes(8), torch.tensor([2.0 ** -(i + 1) for i in range(8)]))
    assert len(alibi_slopes(6)) == 6


def test_config_errors_and_toml_round_trip(tmp_path):
    with pytest.raises(StorylabError, match="unknown key 'model.widht'.*model.d_model"):
        load_run_config(None, ["model.widht=3"])
    with pytest.raises(StorylabError, match="positions"):
        load_run_config(None, ["model.positions=sinusoid"])
    with pytest.raises(StorylabError, match="divisible"):
        load_run_config(None, ["model.d_model=30", "model.n_heads=4"])
    with pytest.raises(StorylabError, match="train.lr must be float"):
        load_run_config(None, ["train.lr=fast"])
    cfg = load_run_config(None, ["model.local_layers=1,3", "train.compile=true", "model.window=4"])
    path = tmp_path / "c.toml"
    path.write_text(dumps_toml(to_dict(cfg)))
    assert load_run_config(path) == cfg
    bad = tmp_path / "bad.toml"
    bad.write_text("[model\nd_model = 3")
    with pytest.raises(StorylabError, match="malformed TOML"):
        load_run_config(bad)
