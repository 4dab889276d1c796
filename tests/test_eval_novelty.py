"""Novelty: the hashed 8-gram index with positional extension against brute force."""

import random


from storylab.evaluate.novelty import NgramIndex, index_for_corpus, index_for_data, novelty, words_of

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
