"""Start-up guards: `storylab --help` and the help of every verb stay light (no torch, numpy or
tokenizers imported), and the fast exit of a whole process still writes what a verb wrote.

Timing itself is in benchmarks/startup.py (whole processes on a quiet machine); these check
the causes, which do not depend on how busy the machine is."""

import json
import subprocess
import sys

import pytest

HEAVY = ("torch", "numpy", "tokenizers", "safetensors", "rich.markdown")

PROBE = """
import json, sys
sys.argv = ["storylab", *sys.argv[1:]]
from storylab import cli
try:
    cli.main()
except SystemExit:
    pass
print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)), file=sys.stderr)
"""


def heavy_imports(*args):
    p = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), *args], capture_output=True, text=True,
                       timeout=60)
    return json.loads(p.stderr.strip().splitlines()[-1])


@pytest.mark.parametrize("args", [["--help"], ["sample", "--help"], ["prepare", "--help"], ["train", "--help"],
                                  ["generate", "--help"]])
def test_help_does_not_import_heavy_modules(args):
    assert heavy_imports(*args) == []


def test_fast_exit_keeps_output_and_exit_status(tmp_path):
    """The whole-process exit path (gc.freeze before finalization) must not lose files, stdout or
    the exit status: generate a small corpus and read it back, then a bad option exits 2."""
    out = tmp_path / "c.jsonl"
    p = subprocess.run([sys.executable, "-m", "storylab.cli", "generate", "--backend", "procedural", "--n", "20",
                        "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert len(out.read_text().splitlines()) == 20
    p = subprocess.run([sys.executable, "-m", "storylab.cli", "sample", str(tmp_path), "--top-p", "2"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stderr.startswith("error:") and len(p.stderr.splitlines()) == 1


def test_generate_and_prepare_do_not_import_torch(tmp_path):
    """Data verbs never pay torch's ~1 s import (or its memory)."""
    corpus = tmp_path / "c.jsonl"
    assert "torch" not in heavy_imports("generate", "--backend", "procedural", "--n", "30", "--out", str(corpus),
                                        "--no-progress")
    assert "torch" not in heavy_imports("prepare", str(corpus), "--out", str(tmp_path / "d"), "--vocab-size", "300")
    assert (tmp_path / "d" / "index.json").exists()
