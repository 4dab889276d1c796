"""The HTML report: self-contained, every section, the inspection hook, and a real browser's screenshot."""

import base64
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import chromium, run_cli, screenshot
from _eval_helpers import random_run, world_data


def _png(w=40, h=30):
    import io

    import matplotlib
    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(w / 10, h / 10))
    ax.plot([0, 1], [1, 0])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


@pytest.fixture(scope="module")
def evaluated_run(tmp_path_factory):
    """A run with three checkpoints, metrics, every eval file, and inspection results."""
    data = world_data(tmp_path_factory.getbasetemp())
    run = random_run(data, tmp_path_factory.mktemp("report") / "run", seed=3, steps=(0, 50, 100))
    with open(run / "metrics.jsonl", "w") as f:
        for s in range(10, 101, 10):
            f.write(json.dumps({"step": s, "loss": 6.2 - s / 40, "lr": 1e-3}) + "\n")
            if s % 50 == 0:
                f.write(json.dumps({"step": s, "val_loss": 6.3 - s / 45}) + "\n")
        f.write(json.dumps({"step": 100, "summary": "trained run: step 100 <b>not bold</b>"}) + "\n")
    from storylab.evaluate import EvalOptions, evaluate_run

    evaluate_run(run, EvalOptions(loss=True, suite=True, novelty=True, checkpoints="all", samples_per_prompt=1,
                                  max_new_tokens=24, threads=1, progress=False))
    ev = run / "eval"
    samples = [json.loads(l) for l in (ev / "samples.jsonl").read_text().splitlines()]
    recs = [{"id": s["id"], "prompt": s["prompt"], "completion": s["completion"], "ok": True,
             "scores": {"grammar": 3, "creativity": 2, "consistency": 2, "plot": 1}, "age_group": "A"}
            for s in samples]
    dims = {d: {"mean": m, "ci_low": m - 0.5, "ci_high": m + 0.5, "n": len(recs)}
            for d, m in (("grammar", 3), ("creativity", 2), ("consistency", 2), ("plot", 1))}
    (ev / "judge.json").write_text(json.dumps({"judge_model": "canned", "n": len(recs), "graded": len(recs),
                                               "rejected": 0, "failed": 0, "dimensions": dims,
                                               "age_groups": {"A": len(recs)}, "rejections": [], "records": recs}))
    (run / "inspect").mkdir()
    (run / "inspect" / "heads.png").write_bytes(_png())
    (run / "inspect" / "probes.json").write_text(json.dumps({"space": {"r2": 0.42}}))
    return run


def test_report_is_self_contained_with_every_section(evaluated_run):
    p = run_cli("report", evaluated_run, check=0)
    assert "report:" in p.stderr
    html = (evaluated_run / "report.html").read_text()
    for title in ("Training", "Held-out loss", "Capabilities", "Judge", "Sample stories", "Novelty", "Inspection"):
        assert f">{title}</h2>" in html
    assert "<!-- storylab:inspect:begin -->" in html and "probes.json" in html and "heads.png" in html
    assert "&lt;b&gt;not bold&lt;/b&gt;" in html  # text from files is escaped
    imgs = re.findall(r'<img[^>]*src="([^"]+)"', html)
    assert len(imgs) >= 6 and all(src.startswith("data:image/png;base64,") for src in imgs)
    for src in imgs:
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r'(src|href)="(https?:|file:|/)', html)
    assert "grammar" in html and ("above chance" in html or "at chance" in html)


def test_report_of_a_bare_run_explains_what_is_missing(tmp_path_factory):
    data = world_data(tmp_path_factory.getbasetemp())
    run = random_run(data, tmp_path_factory.mktemp("bare") / "run")
    from storylab.report import build_report

    html = build_report(run).path.read_text()
    assert "storylab eval RUN --suite" in html and "no inspect/ results" in html
    from storylab.errors import StorylabError

    with pytest.raises(StorylabError, match="run not found"):
        build_report(tmp_path_factory.mktemp("x") / "nope")


@pytest.mark.skipif(chromium() is None, reason="no chromium on PATH (apt-get install -y chromium)")
def test_report_renders_in_headless_chromium(evaluated_run, tmp_path):
    from storylab.report import build_report

    shot = tmp_path / "report.png"
    img = screenshot(build_report(evaluated_run).path, shot, 2000)
    assert img.shape[0] >= 1000 and img.shape[1] >= 1000
    non_white = (img.min(axis=-1) < 0.9).mean()
    assert img.std() > 0.05 and non_white > 0.03, (img.std(), non_white)
    # keep it for people to look at
    out = Path(evaluated_run) / "report_screenshot.png"
    shutil.copyfile(shot, out)
