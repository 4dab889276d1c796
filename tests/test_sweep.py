"""`storylab sweep`: a 2x2 grid of tiny real trials on a process pool and on a local Ray
instance, a sweep killed mid-way and resumed, a failing trial, spec errors, and the sweep
report in a real browser."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from conftest import chromium, run_cli, screenshot

SPEC = """
mode = "grid"
[base]
data = "{data}"
[base.model]
n_heads = 2
context = 64
[base.train]
batch_size = 8
warmup = 5
eval_every = 0
eval_batches = 2
log_every = 1
lr = 3e-3
threads = 1
[axes]
"model.d_model" = [16, 32]
"model.n_layers" = [1, 2]
[budget]
steps = 20
[eval]
skills = ["grammar", "everyday_fact"]
checkpoints = 2
"""


@pytest.fixture(scope="module")
def spec(tmp_path_factory, tiny_data):
    p = tmp_path_factory.mktemp("spec") / "grid.toml"
    p.write_text(SPEC.format(data=tiny_data))
    return p


@pytest.fixture(scope="module")
def pool_sweep(spec, tmp_path_factory):
    from storylab.sweep import run_sweep

    out = tmp_path_factory.mktemp("sweeps") / "grid"
    return run_sweep(spec, out, workers=2, progress=False)


def _key(records):
    return {r["id"]: (r["val_loss"], {s: v["acc"] for s, v in r["skills"].items()}) for r in records}


def _same_results(a, b):
    ka, kb = _key(a), _key(b)
    assert ka.keys() == kb.keys()
    for tid in ka:
        assert ka[tid][0] == pytest.approx(kb[tid][0], abs=1e-4), tid
        for s, acc in ka[tid][1].items():
            assert acc == pytest.approx(kb[tid][1][s], abs=0.02), (tid, s)


def test_grid_on_process_pool(pool_sweep):
    res = pool_sweep
    assert len(res.records) == 4 and not res.failed, res.failed
    assert res.ran == 4 and res.skipped == 0 and "4/4 trials ok" in res.summary()
    lines = (res.out / "results.jsonl").read_text().splitlines()
    assert [json.loads(l)["id"] for l in lines] == [r["id"] for r in res.records]
    by_shape = {(r["values"]["model.d_model"], r["values"]["model.n_layers"]): r for r in res.records}
    assert set(by_shape) == {(16, 1), (16, 2), (32, 1), (32, 2)}
    assert by_shape[(32, 2)]["params_non_embedding"] > by_shape[(32, 1)]["params_non_embedding"] > \
        by_shape[(16, 1)]["params_non_embedding"]
    for r in res.records:
        run = res.out / r["run_dir"]
        assert (run / "done").exists() and (run / "config.toml").exists()
        assert r["steps"] == 20 and r["tokens"] == 20 * 8 * 64
        assert [row["step"] for row in r["curves"]] == [10, 20]
        assert set(r["skills"]) == {"grammar", "everyday_fact"}
        assert r["val_loss"] < 6.3  # ln(512) = 6.24 untrained: 20 steps learned something
    # rerunning skips every finished trial and touches none of their files
    from storylab.sweep import run_sweep

    before = {r["id"]: (res.out / r["run_dir"] / "done").stat().st_mtime_ns for r in res.records}
    again = run_sweep(res.out / "spec.toml", res.out, workers=2, progress=False)
    assert again.ran == 0 and again.skipped == 4
    assert before == {r["id"]: (res.out / r["run_dir"] / "done").stat().st_mtime_ns for r in again.records}


@pytest.mark.slow
def test_grid_on_local_ray_matches_the_pool(spec, pool_sweep, tmp_path):
    ray = pytest.importorskip("ray")
    from storylab.sweep import run_sweep

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        res = run_sweep(spec, tmp_path / "ray", ray="auto", progress=False)
    finally:
        ray.shutdown()
    assert res.backend.startswith("ray") and len(res.records) == 4 and not res.failed, res.failed
    _same_results(res.records, pool_sweep.records)


@pytest.mark.slow
def test_killed_sweep_resumes_without_rerunning_finished_trials(spec, pool_sweep, tmp_path):
    out = tmp_path / "killed"
    p = subprocess.Popen([sys.executable, "-m", "storylab.cli", "sweep", str(spec), "--out", str(out),
                          "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         start_new_session=True)
    t0 = time.time()
    while not list(out.glob("trials/*/done")):
        assert p.poll() is None and time.time() - t0 < 120, "sweep ended or stalled before a trial finished"
        time.sleep(0.1)
    os.kill(p.pid, signal.SIGKILL)  # the sweep's process, mid-sweep: its worker must not train on
    p.wait()
    snapshot = lambda: {f: f.stat().st_mtime_ns for f in out.glob("trials/**/*") if f.is_file()}
    before = snapshot()
    time.sleep(3)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(p.pid, signal.SIGKILL)
    assert snapshot() == before, "an orphaned worker kept writing after the sweep was killed"
    done = {d.parent.name: d.stat().st_mtime_ns for d in out.glob("trials/*/done")}
    started = {d.name for d in out.glob("trials/*") if (d / "config.toml").exists()} - set(done)
    assert 1 <= len(done) < 4
    metrics = {t: (out / "trials" / t / "metrics.jsonl").read_bytes() for t in done}

    r = run_cli("sweep", spec, "--out", out, "--workers", "1", check=0)
    assert f"{4 - len(done)} run and {len(done)} already done" in r.stderr
    for t, mtime in done.items():  # finished trials were not rerun
        assert (out / "trials" / t / "done").stat().st_mtime_ns == mtime
        assert (out / "trials" / t / "metrics.jsonl").read_bytes() == metrics[t]
    recs = [json.loads(l) for l in (out / "results.jsonl").read_text().splitlines()]
    for rec in recs:
        if rec["id"] in started and list((out / rec["run_dir"] / "checkpoints").glob("*")):
            assert rec["resumed"]
    _same_results(recs, pool_sweep.records)  # exactly what the uninterrupted sweep got


@pytest.mark.slow
def test_a_failing_trial_is_recorded_and_the_sweep_finishes(tiny_data, tmp_path):
    from storylab.sweep import run_sweep

    spec = tmp_path / "zip.toml"
    body = SPEC.format(data=tiny_data).split("[axes]")[0]
    spec.write_text(body + f'[axes]\ndata = ["{tiny_data}", "{tmp_path / "no_such_data"}"]\n'
                    '[budget]\nminutes = 0.01\n[eval]\nskills = ["grammar"]\ncheckpoints = "latest"\n')
    res = run_sweep(spec, tmp_path / "out", workers=2, progress=False)
    assert [r["status"] for r in res.records] == ["ok", "failed"]
    budget = json.loads((tmp_path / "out" / res.records[0]["run_dir"] / "budget.json").read_text())
    assert res.records[0]["steps"] == budget["steps"] >= 10  # sized to 0.6 s of CPU from timed steps
    bad = res.records[1]
    assert "no_such_data" in bad["error"] and "Traceback" in bad["traceback"]
    assert "1/2 trials ok, 1 failed" in res.summary()
    assert len((tmp_path / "out" / "results.jsonl").read_text().splitlines()) == 2


@pytest.mark.parametrize("bad, named", [
    ('[budget]\nstepz = 10\n', "stepz"),
    ('[axes]\n"model.d_modle" = [16]\n', "model.d_modle"),
    ('colour = "red"\n', "colour"),
])
def test_a_spec_with_an_unknown_key_is_one_line_exit_2(tiny_data, tmp_path, bad, named):
    spec = tmp_path / "bad.toml"
    spec.write_text(f'{bad}[base]\ndata = "{tiny_data}"\n' if not bad.startswith("[") else
                    f'[base]\ndata = "{tiny_data}"\n{bad}')
    r = run_cli("sweep", spec, "--out", tmp_path / "out", check=2)
    assert named in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_equal_compute_budget_keeps_6ND_constant(tiny_data, tmp_path):
    from storylab.sweep import load_spec

    spec = tmp_path / "ec.toml"
    body = SPEC.format(data=tiny_data).split("[budget]")[0]
    spec.write_text(body + '[budget]\ncompute = "equal"\ntokens = 200000\n'
                    'reference = {"model.d_model" = 16, "model.n_layers" = 1}\n')
    trials = load_spec(spec).trials()
    ref = next(t for t in trials if t.values == {"model.d_model": 16, "model.n_layers": 1})
    assert ref.config["train"]["steps"] * ref.tokens_per_step == pytest.approx(200000, rel=0.01)
    flops = [6 * t.params_non_embedding * t.config["train"]["steps"] * t.tokens_per_step for t in trials]
    assert max(flops) / min(flops) < 1.05
    assert trials[-1].config["train"]["steps"] < trials[0].config["train"]["steps"]


def test_sweep_report_is_self_contained(pool_sweep):
    import base64
    import re

    r = run_cli("report", "--sweep", pool_sweep.out, check=0)
    assert "report:" in r.stderr
    html = (pool_sweep.out / "report.html").read_text()
    for title in ("Loss against parameters", "Width × depth", "Skills over training", "Trials"):
        assert f">{title}</h2>" in html
    imgs = re.findall(r'<img[^>]*src="([^"]+)"', html)
    assert len(imgs) == 3 and all(base64.b64decode(s.split(",", 1)[1])[:4] == b"\x89PNG" for s in imgs)
    assert not re.search(r'(src|href)="(https?:|file:|/)', html)
    assert all(r["id"] in html for r in pool_sweep.records)


@pytest.mark.skipif(chromium() is None, reason="no chromium on PATH (apt-get install -y chromium)")
def test_sweep_report_renders_in_headless_chromium(pool_sweep, tmp_path):
    from storylab.report.sweep import build_sweep_report

    img = screenshot(build_sweep_report(pool_sweep.out, tmp_path / "sweep.html"), tmp_path / "shot.png", 2400)
    assert img.shape[0] >= 2000 and img.shape[1] >= 1000
    non_white = (img.min(axis=-1) < 0.9).mean()
    assert img.std() > 0.05 and non_white > 0.05, (img.std(), non_white)


def test_threads_per_trial_respect_a_launchers_omp_num_threads(monkeypatch):
    """Under a CPU-slot runner or batch scheduler (OMP_NUM_THREADS=1) one worker gets one thread,
    not every core of the machine."""
    from storylab.sweep.runner import _cores

    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert _cores() == 1
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    assert _cores() == 3
    monkeypatch.delenv("OMP_NUM_THREADS")
    assert _cores() == len(os.sched_getaffinity(0))


def test_a_config_key_only_one_storylab_version_knows_is_the_same_sweep():
    from storylab.sweep.runner import _same_config

    old = {"model": {"d_model": 32}, "train": {"lr": 3e-3, "align": "none"}}
    assert _same_config(old, {"model": {"d_model": 32}, "train": {"lr": 3e-3}})
    assert not _same_config(old, {"model": {"d_model": 64}, "train": {"lr": 3e-3}})
    assert not _same_config(old, {"model": {"d_model": 32}, "train": {"lr": 1e-3, "align": "none"}})
