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
