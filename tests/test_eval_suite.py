"""The capability suite: task files, scoring, batching, chance levels, and models at and above chance."""

import json
from collections import defaultdict

import pytest
import torch

from storylab.errors import StorylabError
from storylab.evaluate.suite import _credit, build_rows, run_suite, score_items, split_context, wilson
from storylab.evaluate.tasks import load_tasks, read_task_file

from _eval_helpers import one_thread, random_run, world_data

_threads = pytest.fixture(scope="module", autouse=True)(one_thread)


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return world_data(tmp_path_factory.getbasetemp())


def _model(run):
    from storylab.rundir import RunDir

    return RunDir.open(run).load()


# --- task files -------------------------------------------------------------------------------


def _write(tmp_path, lines):
    p = tmp_path / "tasks.jsonl"
    p.write_text("\n".join(l if isinstance(l, str) else json.dumps(l) for l in lines) + "\n")
    return p


GOOD = {"skill": "grammar", "prompt": "The dogs", "answer": " run", "distractors": [" runs"], "source": "test"}


@pytest.mark.parametrize("bad, message", [
    ("{not json", "invalid JSON"),
    ({**GOOD, "answer": ""}, "'answer' is empty"),
    ({k: v for k, v in GOOD.items() if k != "skill"}, "missing field 'skill'"),
    ({**GOOD, "distractors": []}, "'distractors' must be a non-empty list"),
    ({**GOOD, "distractors": [" run"]}, "a distractor equals the answer"),
    ({**GOOD, "distractors": " runs"}, "'distractors' must be a non-empty list"),
    ({**GOOD, "type": "essay"}, "type must be one of"),
    ({**GOOD, "type": "words", "words": []}, "'words' must be a non-empty list"),
    ([1, 2], "expected a JSON object"),
])
def test_malformed_task_lines_name_file_and_line(tmp_path, bad, message):
    p = _write(tmp_path, [GOOD, "", bad])
    with pytest.raises(StorylabError) as e:
        read_task_file(p)
    assert f"{p}:3:" in str(e.value) and message in str(e.value)
    assert "\n" not in str(e.value)


def test_registry_and_user_tasks(tmp_path):
    builtin = load_tasks()
    skills = {it.skill for it in builtin}
    for s in ("grammar", "everyday_fact", "exclusion", "negation", "entity_tracking", "counting", "space",
              "time_order", "main_character", "instruction"):
        assert s in skills
    hand = [it for it in builtin if it.source == "handwritten"]
    world = [it for it in builtin if it.source.startswith("world:")]
    assert len(hand) >= 300 and len(world) >= 200
    assert {it.subskill for it in hand if it.skill == "grammar"} >= {"agreement", "a_an", "tense"}

    d = tmp_path / "mine"
    d.mkdir()
    (d / "x.jsonl").write_text(json.dumps({**GOOD, "id": "mine-1", "skill": "my_skill"}) + "\n")
    items = load_tasks([d], builtin=False)
    assert [it.skill for it in items] == ["my_skill"]
    assert len(load_tasks([d / "x.jsonl"])) == len(builtin) + 1
    with pytest.raises(StorylabError, match="duplicate item id"):
        load_tasks([d / "x.jsonl", d / "x.jsonl"], builtin=False)
    with pytest.raises(StorylabError, match="not found"):
        load_tasks([tmp_path / "nope.jsonl"])


def test_handwritten_items_come_in_contrast_pairs():
    """Every option set of a hand-written choice skill has each option as the answer equally
    often, so a context-blind preference scores exactly chance."""
    items = [it for it in load_tasks(sources=["handwritten"]) if it.type == "choice"]
    by_set = defaultdict(lambda: defaultdict(int))
    for it in items:
        if it.skill == "counting":
            continue  # three-way: every answer appears equally often, checked below
        by_set[(it.skill, it.id.rsplit("-", 1)[0])][it.answer] += 1
    assert by_set and all(len(c) == 2 and set(c.values()) == {1} for c in by_set.values())
    counts = defaultdict(int)
    for it in items:
        if it.skill == "counting":
            counts[it.answer] += 1
    assert len(set(counts.values())) == 1


# --- scoring ----------------------------------------------------------------------------------


def test_wilson_interval_known_values():
    lo, hi = wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9433, abs=1e-3)
    assert wilson(0, 20)[0] == 0.0 and wilson(20, 20)[1] == 1.0
    assert wilson(0, 0) == (0.0, 1.0)


def test_split_context_moves_trailing_space():
    assert split_context("She ate an ", "apple") == ("She ate an", " apple")
    assert split_context("She ate an", " apple") == ("She ate an", " apple")


def test_tie_credit():
    assert _credit([-1.0, -2.0]) == 1.0
    assert _credit([-2.0, -1.0]) == 0.0
    assert _credit([-1.0, -1.0, -3.0]) == 0.5
    assert _credit([-1.0, -1.0, -1.0]) == pytest.approx(1 / 3)


def test_scores_match_a_direct_computation_and_do_not_depend_on_batch_size(data, tmp_path):
    model, tok = _model(random_run(data, tmp_path / "r", seed=5))
    items = load_tasks(skills=["grammar", "main_character", "counting"])[::3]
    ref = score_items(model, tok, items, batch_tokens=100_000)
    for bt in (64, 1000):
        other = score_items(model, tok, items, batch_tokens=bt)
        assert [r.correct for r in other] == [r.correct for r in ref]
        for a, b in zip(ref, other):
            assert a.logprobs == pytest.approx(b.logprobs, abs=1e-4)
    # one item by hand: log-softmax of a plain forward pass over prompt + option
    it = next(i for i in items if i.skill == "main_character")
    from storylab.tokenizer import EOT

    rows = build_rows([it], tok, model.cfg.context, tok.token_to_id(EOT))
    for row, got in zip(rows, ref[items.index(it)].logprobs):
        ids = torch.tensor([row.ids])
        with torch.no_grad():
            lp = torch.log_softmax(model(ids[:, :-1]).double(), -1)[0]
        want = sum(lp[t - 1, row.ids[t]].item() for t in range(len(row.ids) - row.n_cont, len(row.ids)))
        assert got == pytest.approx(want, abs=1e-4)
        ctx, cont = split_context(it.prompt, it.options[row.option])
        assert tok.decode(row.ids[-row.n_cont:]) == cont


def test_random_model_scores_chance_on_every_skill(data, tmp_path):
    model, tok = _model(random_run(data, tmp_path / "rand", seed=11))
    res = run_suite(model, tok, load_tasks(), batch_tokens=4096, instruct=True)
    assert {s.skill for s in res.skills} >= {"grammar", "everyday_fact", "counting", "instruction"}
    # acc is exactly chance by the contrast design; acc_cal varies more than a coin per group (one random
    # model's groups share its quirks: grammar's acc_cal over model seeds 8-15 on this data ran 0.31-0.75),
    # so it is judged over three random models, with a Bonferroni-style 99.9% interval for twenty skills
    others = [run_suite(*_model(random_run(data, tmp_path / f"rand{k}", seed=k)), load_tasks(), batch_tokens=4096,
                        instruct=True) for k in (12, 13)]
    for s in res.skills:
        assert s.ci_low <= s.chance <= s.ci_high, (s.skill, s.acc, s.ci_low, s.ci_high, s.chance)
        cal = [s.acc_cal] + [o.skill(s.skill).acc_cal for o in others]
        lo, hi = wilson(sum(cal) * s.n_groups, 3 * s.n_groups, z=3.29)
        assert lo <= s.chance <= hi, (s.skill, cal, s.n_groups)
        assert s.n >= 20
    # chance is the mean of 1/(1+len(distractors))
    counting = [it for it in load_tasks(skills=["counting"])]
    assert res.skill("counting").chance == pytest.approx(sum(it.chance for it in counting) / len(counting))


LLAMA2C = __import__("conftest").SHARED / "llama2c"


@pytest.fixture(scope="module")
def stories260k(tmp_path_factory):
    """A real TinyStories model: llama2.c's stories260K (shared test data), imported with storylab's interop."""
    if not (LLAMA2C / "stories260K.bin").exists():
        pytest.skip("shared llama2.c data not available")
    try:
        from storylab.interop.llama2c import import_llama2c
    except ImportError:
        pytest.skip("storylab.interop.llama2c not available")
    out = tmp_path_factory.mktemp("s260k") / "run"
    import_llama2c(LLAMA2C / "stories260K.bin", LLAMA2C / "tok512.bin", out)
    return out


def test_trained_model_scores_above_chance_on_grammar_and_facts(stories260k, data, tmp_path):
    """Both directions: a trained TinyStories model is above chance where a random model of
    the same shape is not. (Models trained within a test's budget are not above chance yet;
    see benchmarks/eval_trained_skills.py for the training it takes.)"""
    items = load_tasks(skills=["grammar", "everyday_fact"])
    model, tok = _model(stories260k)
    res = run_suite(model, tok, items)
    grammar, facts = res.skill("grammar"), res.skill("everyday_fact")
    assert grammar.ci_low > grammar.chance and grammar.cal_ci_low > grammar.chance, grammar
    assert grammar.subskills["a_an"]["acc"] >= 0.9
    assert facts.acc > facts.chance and facts.cal_ci_low > facts.chance, facts

    from storylab.rundir import RunDir

    cfg = RunDir.open(stories260k).config["model"]
    shape = [f"model.{k}={cfg[k]}" for k in ("d_model", "n_layers", "n_heads", "n_kv_heads", "context",
                                               "positions", "norm", "activation", "d_mlp")]
    rand = random_run(data, tmp_path / "rand", seed=1, model=shape)
    model, tok = _model(rand)
    for s in run_suite(model, tok, items).skills:
        assert s.ci_low <= s.chance <= s.ci_high, s
        lo, hi = wilson(s.acc_cal * s.n_groups, s.n_groups, z=3.29)
        assert lo <= s.chance <= hi, s
