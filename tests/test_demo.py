import json

from conftest import run_cli


def test_demo_runs_the_whole_loop_offline(tmp_path):
    out = tmp_path / "demo"
    p = run_cli("demo", "--out", out, "--minutes", "0.15", "--stories", "400", check=0)
    assert "=== greedy ===" in p.stdout and "Once upon a time" in p.stdout
    assert "validation loss" in p.stderr
    # runs/demo is a run directory like any other, with its corpus and data beside the run files
    assert {"corpus.jsonl", "data", "config.toml", "tokenizer.json", "metrics.jsonl", "checkpoints",
            "samples.jsonl"} <= {q.name for q in out.iterdir()}
    assert not (out / "calibrate").exists()
    samples = [json.loads(l) for l in (out / "samples.jsonl").read_text().splitlines()]
    assert {s["kind"] for s in samples} == {"greedy", "sampled"}
