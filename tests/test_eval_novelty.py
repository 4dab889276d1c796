"""Novelty: the hashed 8-gram index with positional extension against brute force."""

import random

import pytest

from storylab.evaluate.novelty import NgramIndex, index_for_corpus, index_for_data, novelty, words_of
from storylab.shards import load_data

from _eval_helpers import world_data


def _brute(corpus_words: list[list[str]], text_words: list[str]) -> dict:
    def grams(ws, n):
        return [tuple(ws[i:i + n]) for i in range(len(ws) - n + 1)]
    sets = {n: set(g for ws in corpus_words for g in grams(ws, n)) for n in (8, 13)}
    g8, g13 = grams(text_words, 8), grams(text_words, 13)
    # longest common substring (in words) with any one corpus story, by dynamic programming
    best = 0
    for ws in corpus_words:
        prev = [0] * (len(ws) + 1)
        for a in text_words:
            cur = [0] * (len(ws) + 1)
            for j, b in enumerate(ws, 1):
                if a == b:
                    cur[j] = prev[j - 1] + 1
                    best = max(best, cur[j])
            prev = cur
    return {"found8": sum(g in sets[8] for g in g8), "found13": sum(g in sets[13] for g in g13),
            "lcs_words": best if best >= 8 else 0}


def test_index_matches_brute_force(tmp_path):
    rng = random.Random(0)
    vocab = "the a cat dog ran sat on mat big red ball and then happy sad tree".split()
    stories = [" ".join(rng.choice(vocab) for _ in range(rng.randint(5, 60))) for _ in range(60)]
    texts = []
    for k in range(30):
        src = words_of(rng.choice(stories))
        i = rng.randrange(len(src))
        copied = src[i:i + rng.randint(0, 30)]
        texts.append(" ".join([rng.choice(vocab) for _ in range(rng.randint(0, 10))] + copied +
                              [rng.choice(vocab) for _ in range(rng.randint(0, 10))]))
    # a span that runs across two stories must not count as one copy
    a, b = words_of(stories[0]), words_of(stories[1])
    texts.append(" ".join(a[-6:] + b[:6]))
    one = NgramIndex.build(stories, tmp_path / "one")
    many = NgramIndex.build(stories, tmp_path / "many", shard_words=100)
    assert many.meta["shards"] > 3
    corpus_words = [words_of(s) for s in stories]
    for t in texts:
        want = _brute(corpus_words, words_of(t))
        for idx in (one, many):
            got = idx.analyze(t)
            assert {k: got[k] for k in want} == want, t


def test_novelty_of_copies_and_of_new_text(tmp_path):
    stories = ["Once upon a time there was a little girl named Lily who loved to play in the big green park "
               "with her small brown dog every sunny day"] * 3
    idx = NgramIndex.build(stories, tmp_path / "i")
    r = novelty(idx, ["there was a little girl named Lily who loved to play in the big green park",
                      "a purple whale sang songs to the moon while the stars danced on the quiet sea"])
    per = r["completions"]["per_text"]
    assert per[0]["found8"] == per[0]["ngrams8"] and per[0]["lcs_words"] == 16
    assert per[1]["found8"] == 0 and per[1]["lcs_words"] == 0
    assert r["completions"]["lcs_max"] == 16 and r["completions"]["longest_copy"].startswith("there was a little")


def test_index_of_a_data_directory_is_cached_and_rebuilt_when_stale(tmp_path_factory, tmp_path):
    data = world_data(tmp_path_factory.getbasetemp())
    idx = index_for_data(data, tmp_path / "idx")
    stamp = (tmp_path / "idx" / "meta.json").stat().st_mtime_ns
    assert idx.meta["stories"] > 100 and idx.meta["words"] > 10_000
    again = index_for_data(data, tmp_path / "idx")
    assert (tmp_path / "idx" / "meta.json").stat().st_mtime_ns == stamp and again.meta == idx.meta
    # a training story is found whole; the index covers only the train split
    from storylab.evaluate.novelty import _stories_from_tokens
    from storylab.shards import load_data

    story = next(_stories_from_tokens(load_data(data)))
    assert idx.analyze(story)["lcs_words"] == len(words_of(story))

    f = tmp_path / "corpus.txt"
    f.write_text("one two three four five six seven eight nine ten\n")
    c = index_for_corpus(f, tmp_path / "cidx")
    assert c.analyze("one two three four five six seven eight")["found8"] == 1
    f.write_text("ten nine eight seven six five four three two one and more words\n")
    import os
    os.utime(f, (1, 1))
    c2 = index_for_corpus(f, tmp_path / "cidx")
    assert c2.analyze("one two three four five six seven eight")["found8"] == 0


# --- what to compare against: a corpus JSONL, a TinyStories text file, a run directory ---------------------


def test_reference_of_each_kind_finds_its_own_stories(tmp_path_factory, tmp_path):
    from storylab.evaluate.loss import read_documents
    from storylab.evaluate.novelty import index_for_reference
    from storylab.rundir import RunDir

    from conftest import TINYSTORIES
    from _eval_helpers import random_run

    data = world_data(tmp_path_factory.getbasetemp())
    corpus = data.parent / "stories.jsonl"
    listing = sorted(p.name for p in TINYSTORIES.parent.iterdir())
    ts = index_for_reference(TINYSTORIES, fallback_cache=tmp_path / "cache")
    assert ts.kind == "tinystories" and sorted(p.name for p in TINYSTORIES.parent.iterdir()) == listing
    docs = read_documents(TINYSTORIES, "tinystories")[0]
    assert ts.index.meta["stories"] == len(docs) and ts.data_dir is None
    js = index_for_reference(corpus, fallback_cache=tmp_path / "cache")
    assert js.kind == "jsonl" and js.index.meta["stories"] == len(corpus.read_text().splitlines())
    run = random_run(data, tmp_path / "run", seed=1)
    for ref in (index_for_reference(run, fallback_cache=tmp_path / "cache"), index_for_reference(RunDir.open(run)),
                index_for_reference(data)):
        assert ref.kind in ("run", "data") and ref.data_dir == data
        assert ref.index.meta["stories"] == sum(1 for _ in load_data(data).documents("train"))
    for ref, story in ((ts, docs[3]), (js, read_documents(corpus, "jsonl")[0][3])):
        assert ref.index.analyze(story)["lcs_words"] == len(words_of(story))


def test_reference_errors_say_what_is_accepted(tmp_path, tmp_path_factory):
    from storylab.errors import StorylabError
    from storylab.evaluate.novelty import index_for_reference

    from _eval_helpers import random_run

    with pytest.raises(StorylabError, match="not found"):
        index_for_reference(tmp_path / "nope.jsonl")
    (tmp_path / "empty").mkdir()
    with pytest.raises(StorylabError, match="a corpus JSONL, a TinyStories text file .* or a run directory"):
        index_for_reference(tmp_path / "empty")
    run = random_run(world_data(tmp_path_factory.getbasetemp()), tmp_path / "run")
    (run / "config.toml").write_text((run / "config.toml").read_text().replace("data = ", "data = '/gone' #"))
    with pytest.raises(StorylabError, match="training data .* is not there"):
        index_for_reference(run)


@pytest.mark.slow
def test_novelty_corpus_through_the_cli(tmp_path_factory, tmp_path, capsys):
    """The three kinds of --novelty-corpus, through the console script (one) and in-process (two)."""
    import json

    from storylab.cli import main

    from conftest import TINYSTORIES, run_cli
    from _eval_helpers import random_run

    data = world_data(tmp_path_factory.getbasetemp())
    other = world_data(tmp_path_factory.getbasetemp(), stories=200, seed=7)
    run = random_run(data, tmp_path / "run", seed=2)
    ref_run = random_run(other, tmp_path / "ref", seed=3)
    common = ["--samples", "1", "--max-new-tokens", "30", "--threads", "1"]
    run_cli("eval", run, "--novelty", "--novelty-corpus", TINYSTORIES, *common, check=0)
    nv = json.loads((run / "eval" / "novelty.json").read_text())
    assert nv["against"]["kind"] == "tinystories" and nv["against"]["path"] == str(TINYSTORIES)
    assert nv["completions"]["texts"] == 50 and "reference" not in nv
    assert (run / "eval" / "novelty_index").is_dir()  # the index lives with the run, not beside the file

    for ref, kind, stories in ((other.parent / "stories.jsonl", "jsonl", 200),
                               (ref_run, "run", sum(1 for _ in load_data(other).documents("train")))):
        with pytest.raises(SystemExit) as e:
            main(["eval", str(run), "--novelty", "--novelty-corpus", str(ref), *common])
        assert e.value.code == 0
        nv = json.loads((run / "eval" / "novelty.json").read_text())
        assert nv["against"]["kind"] == kind and nv["against"]["stories"] == stories
        assert ("reference" in nv) == (kind == "run")  # held-out stories of the reference run's data
    capsys.readouterr()
    # `--novelty FILE` takes FILE for a second run: the error says what was meant
    with pytest.raises(SystemExit) as e:
        main(["eval", str(run), "--novelty", str(other.parent / "stories.jsonl"), *common])
    err = capsys.readouterr().err
    assert e.value.code == 2 and "--novelty-corpus" in err and err.strip().count("\n") == 0
