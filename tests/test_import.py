import json
import warnings

import pytest

from conftest import TINYSTORIES, run_cli
from storylab.corpus import import_corpus, read_corpus
from storylab.errors import StorylabError


def test_tinystories_prefix_drops_the_cut_final_story(tmp_path):
    out = tmp_path / "c.jsonl"
    with pytest.warns(UserWarning, match="dropped a final story"):
        stats = import_corpus(TINYSTORIES, out)
    records = list(read_corpus(out))
    assert stats.read == stats.written == len(records) == 2316
    assert stats.truncated == 1
    assert records[0]["text"].startswith("One day, a little girl named Lily found a needle")
    assert not any("<|endoftext|>" in r["text"] for r in records)
    assert set(records[0]) == {"id", "text", "source", "words", "features", "meta"}
    assert len({r["id"] for r in records}) == len(records)


def test_duplicates_removed_and_counted(tmp_path):
    src = tmp_path / "dup.txt"
    src.write_text("A cat sat.\n<|endoftext|>\nA dog ran.\n<|endoftext|>\nA cat sat.\n<|endoftext|>\n")
    stats = import_corpus(src, tmp_path / "c.jsonl")
    assert (stats.read, stats.written, stats.duplicates) == (3, 2, 1)


def test_jsonl_and_plain_text(tmp_path):
    j = tmp_path / "in.jsonl"
    j.write_text(json.dumps({"text": "One.", "meta": {"k": 1}}) + "\n\n" + json.dumps({"text": "Two."}) + "\n")
    import_corpus(j, tmp_path / "a.jsonl")
    recs = list(read_corpus(tmp_path / "a.jsonl"))
    assert [r["text"] for r in recs] == ["One.", "Two."] and recs[0]["meta"] == {"k": 1}

    t = tmp_path / "in.txt"
    t.write_text("First story.\nStill first.\n\n\nSecond story.\n")
    import_corpus(t, tmp_path / "b.jsonl")
    assert [r["text"] for r in read_corpus(tmp_path / "b.jsonl")] == ["First story.\nStill first.", "Second story."]


@pytest.mark.parametrize("content,match", [
    (b"good line\n\xff\xfe bad bytes\n<|endoftext|>\n", "not valid UTF-8"),
    (b"", "empty corpus"),
    (b"\n\n<|endoftext|>\n", "empty corpus"),
])
def test_bad_text_input(tmp_path, content, match):
    src = tmp_path / "bad.txt"
    src.write_bytes(content)
    out = tmp_path / "out.jsonl"
    out.write_text("precious\n")
    with pytest.raises(StorylabError, match=match):
        import_corpus(src, out, fmt="tinystories")
    assert out.read_text() == "precious\n"  # nothing lost, nothing half-written


def test_malformed_jsonl_names_the_line(tmp_path):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"text": "ok"}\n{"text": \n')
    with pytest.raises(StorylabError, match="bad.jsonl:2"):
        import_corpus(src, tmp_path / "o.jsonl")


def test_cli_errors_are_one_line_exit_2(tmp_path):
    p = run_cli("import", tmp_path / "missing.txt", "--out", tmp_path / "o.jsonl")
    assert p.returncode == 2
    assert "not found" in p.stderr and "Traceback" not in p.stderr
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xff\n")
    p = run_cli("import", bad, "--out", tmp_path / "o.jsonl")
    assert p.returncode == 2 and "UTF-8" in p.stderr and "Traceback" not in p.stderr
