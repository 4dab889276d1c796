"""Batched decoding: prompts of different lengths in one batch give what each gives alone."""

import pytest
import torch

from storylab.config import ModelConfig
from storylab.model import GPT
from storylab.sample import SampleSettings, generate_ids


@pytest.fixture(scope="module", params=["learned", "rope", "alibi"])
def model(request):
    torch.manual_seed(0)
    return GPT(ModelConfig(vocab_size=50, d_model=32, n_layers=2, n_heads=2, context=40,
                           positions=request.param)).eval()


PROMPTS = [[5, 6, 7], [1], [9, 8, 7, 6, 5, 4, 3, 2], [11, 12, 13, 14]]


def test_mixed_lengths_equal_one_at_a_time(model):
    s = SampleSettings(max_new_tokens=12, greedy=True)
    together = generate_ids(model, PROMPTS, s, eot_id=None)
    alone = [generate_ids(model, [p], s, eot_id=None)[0] for p in PROMPTS]
    assert together == alone
    assert [len(r) for r in together] == [12] * 4


def test_each_row_stops_at_its_own_end_of_text_and_context(model):
    s = SampleSettings(max_new_tokens=100, greedy=True)
    free = generate_ids(model, PROMPTS, s, eot_id=None)
    # the context (40) bounds each row by its own prompt length
    assert [len(r) for r in free] == [40 - len(p) for p in PROMPTS]
    # make the first token row 2 generates the end-of-text token: each row is cut where it
    # first generates it (a random model repeats itself, so other rows may meet it too)
    eot = free[2][0]
    stopped = generate_ids(model, PROMPTS, s, eot_id=eot)
    for got, full in zip(stopped, free):
        assert got == (full[:full.index(eot)] if eot in full else full)
    # an end-of-text id inside a prompt (7 is in two) does not stop that prompt's row
    for got, full in zip(generate_ids(model, PROMPTS, s, eot_id=7), free):
        assert got == (full[:full.index(7)] if 7 in full else full)
    assert stopped[2] == [] and sum(map(len, stopped)) < sum(map(len, free))


def test_sampling_is_seeded(model):
    s = SampleSettings(max_new_tokens=10, temperature=1.0, top_k=20)
    a = generate_ids(model, PROMPTS, s, None, torch.Generator().manual_seed(3))
    b = generate_ids(model, PROMPTS, s, None, torch.Generator().manual_seed(3))
    c = generate_ids(model, PROMPTS, s, None, torch.Generator().manual_seed(4))
    assert a == b and a != c


def test_decode_step_matches_the_full_forward(model):
    """The sampling fast path (eager int position, and the fixed-shape tensor position that
    torch.compile replays) gives the full forward pass' logits."""
    from storylab.model import KVCache

    x = torch.randint(0, 50, (3, 20), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        full = model(x)
        for static in (False, True):
            cache = KVCache(model.cfg, 3, 30, "cpu", torch.float32)
            model(x[:, :4], kv_cache=cache, pos=0)
            steps = [model.decode_step(x[:, t], torch.tensor(t) if static else t, cache) for t in range(4, 20)]
            torch.testing.assert_close(torch.stack(steps, 1), full[:, 4:], atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("positions", ["learned", "rope", "alibi"])
def test_fused_decode_attention_matches_the_full_forward(positions, monkeypatch):
    """The fused attention decode_step uses past SDPA_FROM cache slots (no bias), forced on from
    the first step, with grouped-query heads: the full forward pass' logits still."""
    import storylab.model
    from storylab.model import KVCache

    monkeypatch.setattr(storylab.model, "SDPA_FROM", 0)
    torch.manual_seed(0)
    m = GPT(ModelConfig(vocab_size=50, d_model=32, n_layers=2, n_heads=4, n_kv_heads=2, context=40,
                        positions=positions)).eval()
    x = torch.randint(0, 50, (3, 20), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        full = m(x)
        cache = KVCache(m.cfg, 3, 30, "cpu", torch.float32)
        m(x[:, :4], kv_cache=cache, pos=0)
        steps = [m.decode_step(x[:, t], t, cache) for t in range(4, 20)]
    torch.testing.assert_close(torch.stack(steps, 1), full[:, 4:], atol=1e-5, rtol=1e-5)


def test_finished_rows_leave_the_batch_without_changing_the_others(model):
    """Rows that stop early are dropped from the batch; greedy rows still equal one-at-a-time decoding."""
    s = SampleSettings(max_new_tokens=30, greedy=True)
    free = generate_ids(model, PROMPTS * 4, s, eot_id=None)
    eot = free[0][2]  # row 0 stops by step 2; others wherever they meet it
    together = generate_ids(model, PROMPTS * 4, s, eot_id=eot)
    alone = [generate_ids(model, [p], s, eot_id=eot)[0] for p in PROMPTS]
    assert together == alone * 4
    assert together[0] == free[0][:free[0].index(eot)]
    assert all(r == f[:f.index(eot)] if eot in f else r == f for r, f in zip(together, free))


def test_sampling_follows_the_distribution():
    """Inverse-CDF sampling (one uniform per row) draws tokens with the softmax's frequencies."""
    from storylab.sample import sample_next

    logits = torch.log(torch.tensor([[0.5, 0.3, 0.2, 0.0]])).expand(20000, 4)
    u = torch.rand(20000, generator=torch.Generator().manual_seed(0))
    counts = torch.bincount(sample_next(logits, SampleSettings(temperature=1.0), u), minlength=4).float() / 20000
    torch.testing.assert_close(counts, torch.tensor([0.5, 0.3, 0.2, 0.0]), atol=0.015, rtol=0)
