"""Every generated answer is checked by a solver written here, independent of the generators."""

import json
import re
from collections import Counter, defaultdict

import pytest

from conftest import run_cli
from storylab.corpus.records import read_corpus
from storylab.curricula import evidence, lego, logic, variables
from storylab.curricula.items import all_items
from storylab.evaluate.tasks import TASK_DIR, load_tasks, read_task_file

SOUNDS = {"cow": "moo", "dog": "woof", "duck": "quack", "sheep": "baa", "horse": "neigh", "hen": "cluck",
          "owl": "hoot", "pig": "oink", "cat": "meow"}


def solve_lego(text: str) -> dict[str, int]:
    clauses = dict(re.findall(r"([a-z]) = ([+-](?:1|[a-z]))", text.split(". So ")[0]))
    values = {}
    while len(values) < len(clauses):
        for v, rhs in clauses.items():
            sign = 1 if rhs[0] == "+" else -1
            if rhs[1:] == "1":
                values[v] = sign
            elif rhs[1:] in values:
                values[v] = sign * values[rhs[1:]]
    return values


def solve_logic(prompt: str) -> str:
    m = re.match(r"Either the \w+ is in the (\w+) box or it is in the (\w+) box\. It is not in the (\w+) box\.", prompt)
    if m:
        a, b, no = m.groups()
        return b if no == a else a
    rules = dict(re.findall(r"If \w+ goes to the (\w+), s?he will see a (\w+)\.", prompt))
    went = re.search(r"went to the (\w+)\.", prompt).group(1)
    return rules[went]


def solve_code(prompt: str) -> str:
    env = {}
    exec(prompt.split("; print(")[0], {}, env)  # the program is valid Python
    return str(env[re.search(r"print\((\w)\)", prompt).group(1)])


def solve_words(prompt: str) -> str:
    box = {}
    for sent in re.split(r"(?<=\.) ", prompt):
        if m := re.search(r"put the (\w+) in the (\w+) box\.", sent):
            box[m.group(1)] = m.group(2)
        elif m := re.search(r"put the (\w+) in the box with the (\w+)\.", sent):
            box[m.group(1)] = box[m.group(2)]
        elif m := re.search(r"moved the (\w+) to the (\w+) box\.", sent):
            box[m.group(1)] = m.group(2)
    return box[re.search(r"asked where the (\w+) was", prompt).group(1)]


def solve_evidence(prompt: str) -> str:
    if m := re.search(r'"Why did the (\w+) say (\w+)\?"', prompt):
        animal, asked = m.groups()
        said, feeling = re.search(rf"the {animal} said (\w+) because it was (\w+)\.", prompt).groups()
        return f"Because it was {feeling}." if asked == said else "It did not."
    if m := re.search(r"asked what the (\w+) said", prompt):
        return re.findall(rf"the {m.group(1)} said (\w+)", prompt)[-1]  # the newest evidence
    toy = re.search(r"asked where the (\w+) was now", prompt).group(1)
    places = re.findall(rf"(?:the {toy} was in|moved the {toy} to) the (\w+) box", prompt)
    return places[-1]  # dated evidence runs oldest to newest


def test_lego_answers():
    for i in range(200):
        rec = lego.example(5, i, length=2 + i % 8)
        got = solve_lego(rec["text"])
        listed = dict(re.findall(r"([a-z]) = ([+-]1)", rec["text"].split(". So ")[1]))
        assert {v: int(x) for v, x in listed.items()} == got == rec["meta"]["values"]
    for it in lego.items(48, seed=11):
        assert " " + ("+1" if solve_lego(it["prompt"].rsplit(", ", 1)[0])[it["prompt"][-3]] > 0 else "-1") == it["answer"]


def test_logic_answers():
    for i in range(200):
        rec = logic.example(5, i)
        prompt = rec["text"][:rec["meta"]["prompt_end"]]
        assert solve_logic(prompt) == rec["meta"]["answer"]
    for it in logic.items(48, seed=11):
        assert " " + solve_logic(it["prompt"]) == it["answer"]


def test_variable_answers():
    styles = Counter()
    for i in range(300):
        rec = variables.example(5, i, length=3 + i % 5)
        prompt = rec["text"][:rec["meta"]["prompt_end"]]
        solve = solve_code if rec["meta"]["style"] == "code" else solve_words
        assert solve(prompt) == rec["meta"]["answer"]
        styles[rec["meta"]["style"]] += 1
    assert min(styles.values()) > 100
    for it in variables.items(48, seed=11):
        solve = solve_code if it["subskill"] == "code" else solve_words
        assert " " + solve(it["prompt"]) == it["answer"]


def test_evidence_answers_and_passages():
    kinds = Counter()
    for i in range(300):
        rec = evidence.example(5, i)
        prompt = rec["text"][:rec["meta"]["prompt_end"]]
        assert solve_evidence(prompt).strip() == rec["meta"]["answer"]
        kinds[rec["meta"]["kind"]] += 1
    assert set(kinds) == {"fact", "update", "premise"}
    for it in evidence.items(72, seed=11):
        assert solve_evidence(it["prompt"]).strip() == it["answer"].strip()
        if it["subskill"] in ("fact", "premise"):  # each one contradicts the world's usual fact
            animal = re.search(r"the (\w+) said", it["prompt"]).group(1)
            said = re.search(rf"the {animal} said (\w+)", it["prompt"]).group(1)
            assert said != SOUNDS[animal]
            if it["subskill"] == "fact":
                assert it["distractors"] == [" " + SOUNDS[animal]]  # the memorised answer is the distractor


def _first_mentioned(prompt, options):
    """Independent of curricula.common.mention_order: where each option's words first occur."""
    pos = {o: (prompt.lower().find(o.strip().lower().rstrip(".")) % (len(prompt) + 1)) for o in options}
    return sorted(options, key=lambda o: pos[o] if o.strip().lower().rstrip(".") in prompt.lower() else 10**9)


def test_evidence_items_are_balanced():
    items = evidence.items(72, seed=11)
    assert Counter(it["subskill"] for it in items) == {"fact": 24, "update": 24, "premise": 24}
    for kind in ("fact", "update", "premise"):
        its = [it for it in items if it["subskill"] == kind]
        chance = sum(1 / (1 + len(it["distractors"])) for it in its) / len(its)
        order = [_first_mentioned(it["prompt"], [it["answer"], *it["distractors"]]) for it in its]
        first = sum(o[0] == it["answer"] for o, it in zip(order, its)) / len(its)
        last = sum(o[-1] == it["answer"] for o, it in zip(order, its)) / len(its)
        assert first == pytest.approx(chance) and last == pytest.approx(chance), kind
    groups = defaultdict(list)
    for it in items:
        groups[it["group"]].append(it)
    for members in groups.values():  # contrast groups: the same options, each the answer once
        opts = {frozenset(o.strip() for o in [m["answer"], *m["distractors"]]) for m in members}
        assert len(opts) == 1 and len(members) == len(next(iter(opts)))
        assert {m["answer"].strip() for m in members} == next(iter(opts))


def test_contrast_groups_in_every_family():
    for family in (lego, logic, variables):
        items = family.items(48, seed=11)
        assert len(items) == 48
        answers = defaultdict(set)
        for it in items:
            answers[it["group"]].add(it["answer"])
            assert it["answer"] not in it["distractors"]
        assert all(len(a) == 2 for a in answers.values())
    for g in range(0, 48, 2):  # LEGO pairs are minimal: one clause's sign differs
        a, b = lego.items(48, seed=11)[g:g + 2]
        assert sum(x != y for x, y in zip(a["prompt"], b["prompt"])) == 1


def test_builtin_task_file_is_current_and_loads():
    path = TASK_DIR / "curricula.jsonl"
    assert [it.as_dict() for it in read_task_file(path)] == [
        {k: v for k, v in d.items()} for d in (json.loads(json.dumps(x)) for x in all_items())]
    items = load_tasks(skills=["lego", "logic", "variables", "evidence"])
    assert Counter(it.skill for it in items) == {"lego": 48, "logic": 48, "variables": 48, "evidence": 72}


def test_add_evidence_keeps_story_offsets(tmp_path):
    from storylab.world import generate_stories

    recs = list(generate_stories(60, seed=3))
    out = list(evidence.add_evidence(recs, 0.5, seed=1))
    changed = [(a, b) for a, b in zip(recs, out) if a["text"] != b["text"]]
    assert 15 <= len(changed) <= 45
    for a, b in changed:
        ev = b["meta"]["evidence"]
        assert b["text"].startswith(a["text"] + "\n")  # appended: the story's offsets are untouched
        assert solve_evidence(b["text"][ev["offset"]:ev["prompt_end"]]).strip() == ev["answer"]
        assert {k: v for k, v in b["meta"].items() if k != "evidence"} == a["meta"]


def test_generate_curriculum_writes_corpora(tmp_path):
    from storylab.curricula import generate_curriculum
    from storylab.errors import StorylabError

    for backend in ("lego", "logic", "variables", "evidence"):
        st = generate_curriculum(backend, tmp_path / f"{backend}.jsonl", 10, seed=2, progress=False)
        assert st.n == 10 and backend in st.summary()
        again = generate_curriculum(backend, tmp_path / "again.jsonl", 10, seed=2, progress=False)
        assert (tmp_path / "again.jsonl").read_bytes() == (tmp_path / f"{backend}.jsonl").read_bytes()
        assert again.n == 10
    with pytest.raises(StorylabError, match="--length"):
        generate_curriculum("lego", tmp_path / "x.jsonl", 3, length=1, progress=False)


@pytest.mark.slow
def test_generate_cli_backends(tmp_path):
    for backend in ("lego", "logic", "variables", "evidence"):
        out = tmp_path / f"{backend}.jsonl"
        p = run_cli("generate", "--backend", backend, "--n", "20", "--out", out, "--no-progress", check=0)
        assert f"20 {backend} records" in p.stderr
        recs = list(read_corpus(out))
        assert len(recs) == 20 and all(r["source"] == backend and r["meta"] for r in recs)
    p = run_cli("generate", "--backend", "lego", "--length", "3", "--n", "5", "--out", tmp_path / "l3.jsonl", check=0)
    assert all(r["meta"]["length"] == 3 for r in read_corpus(tmp_path / "l3.jsonl"))
    p = run_cli("generate", "--n", "30", "--evidence-rate", "0.5", "--out", tmp_path / "s.jsonl", "--no-progress",
                check=0)
    assert 5 <= sum("evidence" in r["meta"] for r in read_corpus(tmp_path / "s.jsonl")) <= 25
    for bad in (["--backend", "logic", "--length", "3"], ["--backend", "lego", "--evidence-rate", "0.2"],
                ["--evidence-rate", "2"], ["--backend", "chess"]):
        p = run_cli("generate", "--n", "3", "--out", tmp_path / "x.jsonl", *bad)
        assert p.returncode == 2 and "Traceback" not in p.stderr, p.stderr


def solve_item(it) -> str:
    """The answer of one suite item by the solvers above (LEGO: the queried variable's sign)."""
    p = it.prompt
    if it.skill == "lego":
        return " " + ("+1" if solve_lego(p)[p.rsplit(", ", 1)[1].split(" =")[0]] > 0 else "-1")
    if it.skill == "logic":
        return " " + solve_logic(p)
    if it.skill == "variables":
        return " " + (solve_code if it.subskill == "code" else solve_words)(p)
    return solve_evidence(p)


def test_every_scored_item_is_solved_and_evidence_is_balanced():
    """The items the suite scores (the built-in file, held-out seed), not only a test seed's:
    each answer is the solver's, and no evidence kind rewards picking the first or the last
    option mentioned in the prompt."""
    items = read_task_file(TASK_DIR / "curricula.jsonl")
    assert len(items) == 216
    for it in items:
        assert solve_item(it).strip() == it.answer.strip(), it.id
        assert it.answer not in it.distractors
    for kind in ("fact", "update", "premise"):
        its = [it for it in items if it.skill == "evidence" and it.subskill == kind]
        assert len(its) == 24
        chance = sum(1 / (1 + len(it.distractors)) for it in its) / len(its)
        order = [_first_mentioned(it.prompt, [it.answer, *it.distractors]) for it in its]
        assert sum(o[0] == it.answer for o, it in zip(order, its)) / len(its) == pytest.approx(chance), kind
        assert sum(o[-1] == it.answer for o, it in zip(order, its)) / len(its) == pytest.approx(chance), kind


def test_the_solvers_catch_a_wrong_answer():
    """The solvers are not vacuous: flipping each item's answer to a distractor is caught."""
    for it in read_task_file(TASK_DIR / "curricula.jsonl")[::7]:
        assert solve_item(it).strip() != it.distractors[0].strip(), it.id
