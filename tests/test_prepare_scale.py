"""`prepare` at scale: the word-cache encoder gives the tokenizer's exact ids, the shards do not
depend on the number of worker processes, and large corpora train the BPE on a spread sample."""

import os
import json
import random

import numpy as np
import pytest

from conftest import TINYSTORIES
from storylab import shards
from storylab.corpus import read_corpus
from storylab.errors import StorylabError
from storylab.shards import load_data, prepare
from storylab.tokenizer import EOT, WordCacheEncoder, train_tokenizer


@pytest.fixture(scope="module")
def real_texts():
    return [t.strip() for t in TINYSTORIES.read_text().split(EOT) if t.strip()][:600]


@pytest.fixture(scope="module")
def tok(real_texts):
    return train_tokenizer(iter(real_texts), 512)


def adversarial(n, seed=0):
    """ASCII soup with every control character, contractions, digit runs, whitespace runs and
    (rarely) the end-of-text token, plus some non-ASCII text."""
    rnd = random.Random(seed)
    pieces = [chr(c) for c in range(128)] + ["'s", "'ll", "'D", "  ", " \n ", "\t\t", EOT, "é", "12 3", "naïve", "日本"]
    return ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 60))) for _ in range(n)]


def test_word_cache_encoder_gives_the_tokenizers_ids(tok, real_texts):
    assert WordCacheEncoder.supports(tok)
    enc = WordCacheEncoder(tok)
    for text in real_texts + adversarial(5000):
        assert enc(text) == tok.encode(text, add_special_tokens=False).ids, repr(text)


def test_word_cache_encoder_declines_other_tokenizers(tmp_path):
    from storylab.games import tokenizer_for_meta

    assert not WordCacheEncoder.supports(tokenizer_for_meta({"game": "othello", "board": 6}))


def write_corpus(path, texts):
    with open(path, "w") as f:
        for i, t in enumerate(texts):
            f.write(json.dumps({"id": f"s{i}", "text": t}) + "\n")
            if i % 50 == 0:
                f.write("\n")  # blank lines are skipped but still counted as lines
    return path


def test_shards_do_not_depend_on_workers_or_chunking(tmp_path, monkeypatch, capfd, tok, real_texts):
    corpus = write_corpus(tmp_path / "c.jsonl", real_texts + adversarial(300, seed=1))
    tok_path = tmp_path / "tok.json"
    tok.save(str(tok_path))
    prepare(corpus, tmp_path / "one", tokenizer=tok_path, progress=False, workers=1)
    monkeypatch.setattr(shards, "CHUNK_BYTES", 20_000)  # many chunks, in two spawned workers
    capfd.readouterr()
    prepare(corpus, tmp_path / "two", tokenizer=tok_path, progress=False, workers=2)
    assert capfd.readouterr().err == ""  # forked after `tok` trained with threads: no warnings
    for name in ("train.bin", "val.bin", "index.json"):
        a, b = (tmp_path / d / name for d in ("one", "two"))
        assert a.read_bytes().replace(b"/one", b"") == b.read_bytes().replace(b"/two", b""), name
    data = load_data(tmp_path / "two")
    # what the tokenizer itself gives, story by story, in corpus order (train split)
    expect = [tok.encode(t, add_special_tokens=False).ids + [tok.token_to_id(EOT)]
              for i, t in enumerate(real_texts + adversarial(300, seed=1))
              if not shards.in_val(f"s{i}", 0, 0.05)]
    assert np.array_equal(data.split("train"), np.concatenate([np.array(e) for e in expect]))


def test_a_bad_line_in_a_worker_names_its_line(tmp_path, monkeypatch, tok, real_texts):
    corpus = write_corpus(tmp_path / "c.jsonl", real_texts[:200])
    lines = corpus.read_text().splitlines()
    lines[151] = '{"id": "x", "text": 3}'
    corpus.write_text("\n".join(lines) + "\n")
    tok.save(str(tmp_path / "tok.json"))
    monkeypatch.setattr(shards, "CHUNK_BYTES", 10_000)
    with pytest.raises(StorylabError) as single:  # what the one-process reader says
        list(read_corpus(corpus))
    assert "record 149 has no string 'text'" in str(single.value)  # 150 lines before it, 2 blank
    with pytest.raises(StorylabError, match=str(single.value)):
        prepare(corpus, tmp_path / "d", tokenizer=tmp_path / "tok.json", progress=False, workers=2)
    assert not (tmp_path / "d" / "index.json").exists() and not (tmp_path / "d" / "train.bin").exists()


def test_large_corpora_train_the_tokenizer_on_a_spread_sample(tmp_path, monkeypatch, real_texts):
    corpus = write_corpus(tmp_path / "c.jsonl", real_texts)
    seen = []
    real_train = shards.train_tokenizer

    def spy(texts, vocab_size):
        texts = list(texts)
        seen.extend(texts)
        return real_train(iter(texts), vocab_size)

    monkeypatch.setattr(shards, "train_tokenizer", spy)
    monkeypatch.setattr(shards, "TOKENIZER_SAMPLE_BYTES", corpus.stat().st_size / 4)  # every 4th story
    prepare(corpus, tmp_path / "d", vocab_size=300, progress=False)
    train = [t for i, t in enumerate(real_texts) if not shards.in_val(f"s{i}", 0, 0.05)]
    sample = [t for i, t in enumerate(real_texts) if i % 4 == 0 and not shards.in_val(f"s{i}", 0, 0.05)]
    assert seen == sample and len(train) > 3.5 * len(sample)
    assert seen[-1] in real_texts[-4:]  # spread to the end of the file, not its first quarter


def _die(chunk):
    os._exit(9)  # as if the worker were killed for memory


def test_a_dead_worker_is_one_line_and_writes_nothing(tmp_path, monkeypatch, tok, real_texts):
    corpus = write_corpus(tmp_path / "c.jsonl", real_texts[:200])
    tok.save(str(tmp_path / "tok.json"))
    monkeypatch.setattr(shards, "CHUNK_BYTES", 10_000)
    monkeypatch.setattr(shards, "_worker_encode", _die)
    with pytest.raises(StorylabError, match="an encoding worker died"):
        prepare(corpus, tmp_path / "d", tokenizer=tmp_path / "tok.json", progress=False, workers=2)
    assert not (tmp_path / "d" / "index.json").exists() and not (tmp_path / "d" / "train.bin").exists()
