"""Corpus import/export round trips: TinyStories text, TinyStories-Instruct, parquet, HF datasets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storylab.tokenizer import EOT

from storylab.corpus import import_corpus, read_corpus
from storylab.corpus import export_corpus
from storylab.corpus.readers import iter_instruct
from storylab.corpus.instruct import InstructFields, format_instruct, parse_instruct
from storylab.errors import StorylabError

TINYSTORIES = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "tinystories" / "train_prefix_2MiB.txt"
SEP = f"\n{EOT}\n".encode()


def first_stories(n: int) -> bytes:
    """The first n complete stories of the shared sample, bytes as they are in the file."""
    if not TINYSTORIES.exists():
        pytest.skip(f"shared TinyStories sample not found at {TINYSTORIES}")
    data = TINYSTORIES.read_bytes()
    end = 0
    for _ in range(n):
        end = data.index(SEP, end) + len(SEP)
    return data[:end]


def test_tinystories_round_trip_is_byte_identical(tmp_path):
    raw = first_stories(200)
    src = tmp_path / "raw.txt"
    src.write_bytes(raw)
    # byte for byte, whitespace and all
    import_corpus(src, tmp_path / "c.jsonl", keep_whitespace=True)
    export_corpus(tmp_path / "c.jsonl", "tinystories", tmp_path / "back.txt")
    assert (tmp_path / "back.txt").read_bytes() == raw
    # the default import strips each story (about 1 in 14 starts with a " \n" line): a file
    # already in that clean layout comes back identical, and the stories keep their text
    stats = import_corpus(src, tmp_path / "clean.jsonl")
    assert stats.written == 200
    export_corpus(tmp_path / "clean.jsonl", "tinystories", tmp_path / "clean.txt")
    clean = (tmp_path / "clean.txt").read_bytes()
    stories = raw.decode().split(f"\n{EOT}\n")[:-1]
    assert clean == "".join(s.strip() + f"\n{EOT}\n" for s in stories).encode()
    import_corpus(tmp_path / "clean.txt", tmp_path / "clean2.jsonl")
    export_corpus(tmp_path / "clean2.jsonl", "tinystories", tmp_path / "clean2.txt")
    assert (tmp_path / "clean2.txt").read_bytes() == clean


INSTRUCT = (
    "Features: Dialogue\nWords: quit, oak, gloomy\nSummary: Sara and Ben play by an oak tree on a gloomy day.\n"
    "Story: \n\nSara and Ben were playing near the big oak.\n\"Let's not quit,\" said Ben.\n"
    f"{EOT}\n"
    "Summary: A cat finds a hat.\nRandom sentence: The cat was happy.\nStory: Once upon a time, a cat found a hat. "
    "The cat was happy.\n"
    f"{EOT}\n"
    "Story: Just a story.\n"
    f"{EOT}\n"
)


def test_instruct_text_parses_and_formats_back(tmp_path):
    f = parse_instruct("Features: Dialogue, Twist\nWords: quit, oak, gloomy\nSummary: Sara wants to go home.\n"
                       "Story: Sara and Ben were playing.\nThey had fun.")
    assert f.order == ["Features", "Words", "Summary", "Story"] and f.features == ["Dialogue", "Twist"]
    assert f.words == ["quit", "oak", "gloomy"] and f.story == "Sara and Ben were playing.\nThey had fun."
    assert parse_instruct(format_instruct(f)) == f
    made = InstructFields(story="A dog ran.", summary="A dog.", random_sentence="A dog ran.",
                          order=["Random sentence", "Summary", "Story"])
    assert format_instruct(made) == "Random sentence: A dog ran.\nSummary: A dog.\nStory: A dog ran."
    assert parse_instruct(format_instruct(made)) == made
    with pytest.raises(StorylabError, match="no 'Story:' line"):
        parse_instruct("Summary: nothing else")

    src = tmp_path / "instruct.txt"
    src.write_text(INSTRUCT, "utf-8")
    records = list(iter_instruct(src))
    assert [r["meta"]["instruct"]["order"][-1] for r in records] == ["Story"] * 3
    assert records[0]["words"] == {"verb": "quit", "noun": "oak", "adjective": "gloomy"}
    assert records[0]["features"] == ["Dialogue"] and parse_instruct(records[0]["text"]).story.startswith("Sara")
    stats = import_corpus(src, tmp_path / "c.jsonl")  # detected as instruct
    assert stats.format == "instruct" and stats.written == 3
    import_corpus(src, tmp_path / "k.jsonl", fmt="instruct", keep_whitespace=True)
    export_corpus(tmp_path / "k.jsonl", "tinystories", tmp_path / "back.txt")
    assert (tmp_path / "back.txt").read_text("utf-8") == INSTRUCT


def make_corpus(tmp_path) -> Path:
    out = tmp_path / "corpus.jsonl"
    with open(out, "w", encoding="utf-8") as f:
        for i in range(30):
            rec = {"id": f"s{i}", "text": f"Story number {i}. Tom and Mia play with a ball — \u00e9t\u00e9 {i}.",
                   "source": "test", "words": {"verb": "play", "noun": "ball", "adjective": "red"} if i % 2 else {},
                   "features": ["Dialogue"] if i % 3 else [], "meta": {"index": i, "places": [[i, i + 1]]}}
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return out


def test_parquet_export_import_round_trip(tmp_path):
    pytest.importorskip("pyarrow")
    corpus = make_corpus(tmp_path)
    assert export_corpus(corpus, "parquet", tmp_path / "c.parquet").stories == 30
    stats = import_corpus(tmp_path / "c.parquet", tmp_path / "back.jsonl")  # detected by suffix
    assert stats.format == "parquet" and stats.written == 30
    assert list(read_corpus(tmp_path / "back.jsonl")) == list(read_corpus(corpus))
    # a directory of parquet files with a "story" column, as on the Hub
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = tmp_path / "pq"
    d.mkdir()
    pq.write_table(pa.table({"story": ["One.", "Two."]}), d / "a.parquet")
    pq.write_table(pa.table({"story": ["Three.", "One."]}), d / "b.parquet")
    stats = import_corpus(d, tmp_path / "dir.jsonl")
    assert stats.format == "parquet" and stats.written == 3 and stats.duplicates == 1


def test_hf_saved_dataset_imports(tmp_path):
    datasets = pytest.importorskip("datasets")
    ds = datasets.Dataset.from_dict({"text": ["A cat sat.", "A dog ran.", "A cat sat."], "label": [1, 2, 3]})
    ds.save_to_disk(str(tmp_path / "ds"))
    stats = import_corpus(tmp_path / "ds", tmp_path / "c.jsonl")  # a directory without parquet: hf
    assert stats.format == "hf" and stats.written == 2 and stats.duplicates == 1
    assert [r["text"] for r in read_corpus(tmp_path / "c.jsonl")] == ["A cat sat.", "A dog ran."]
    dd = datasets.DatasetDict({"train": ds, "validation": ds.select([1])})
    dd.save_to_disk(str(tmp_path / "dd"))
    assert import_corpus(tmp_path / "dd", tmp_path / "d.jsonl", fmt="hf").written == 2  # the train split
    with pytest.raises(StorylabError, match="not a dataset saved with save_to_disk"):
        (tmp_path / "empty").mkdir()
        import_corpus(tmp_path / "empty", tmp_path / "e.jsonl", fmt="hf")


def test_export_and_import_cli(tmp_path, capsys):
    from storylab.cli import main

    corpus = make_corpus(tmp_path)
    with pytest.raises(SystemExit) as e:
        main(["export", str(corpus), "--to", "tinystories", "--out", str(tmp_path / "c.txt")])
    assert e.value.code in (0, None)
    assert (tmp_path / "c.txt").read_text("utf-8").count(f"\n{EOT}\n") == 30
    with pytest.raises(SystemExit) as e:
        main(["import", str(tmp_path / "c.txt"), "--format", "tinystories", "--out", str(tmp_path / "b.jsonl")])
    assert e.value.code in (0, None)
    assert [r["text"] for r in read_corpus(tmp_path / "b.jsonl")] == [r["text"] for r in read_corpus(corpus)]
    with pytest.raises(SystemExit) as e:
        main(["export", str(corpus), "--to", "csv", "--out", str(tmp_path / "x")])
    assert e.value.code == 2 and "unknown export format 'csv'" in capsys.readouterr().err


def test_bad_input_files_are_one_line_errors(tmp_path):
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Once upon a time, caf\xe9.\n<|endoftext|>\n".encode("latin-1"))
    for fmt in ("tinystories", "instruct", "text"):
        with pytest.raises(StorylabError, match="not valid UTF-8") as e:
            import_corpus(latin, tmp_path / "c.jsonl", fmt=fmt)
        assert "\n" not in str(e.value)
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(StorylabError, match="not a readable parquet file"):
        import_corpus(broken, tmp_path / "c.jsonl")
    bad_instruct = tmp_path / "bad.txt"
    bad_instruct.write_text(f"Summary: only a summary\n{EOT}\n", "utf-8")
    with pytest.raises(StorylabError, match="story 1: not a TinyStories-Instruct text"):
        import_corpus(bad_instruct, tmp_path / "c.jsonl", fmt="instruct")
    bad_jsonl = tmp_path / "c.jsonl"
    bad_jsonl.write_text('{"text": "ok"}\n{"text": \n', "utf-8")
    with pytest.raises(StorylabError, match="invalid JSON"):
        export_corpus(bad_jsonl, "parquet", tmp_path / "x.parquet")
    assert not (tmp_path / "x.parquet").exists()
