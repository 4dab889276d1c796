"""Performance defaults: threads chosen from the free cores, bf16 only where the hardware has it."""

import os
import time

import pytest
import torch

from storylab import device
from storylab.device import auto_threads, free_cores, has_fast_bf16, resolve_dtype, set_threads
from storylab.errors import StorylabError


def test_free_cores_subtracts_the_busy_ones(monkeypatch):
    cores = len(os.sched_getaffinity(0))
    monkeypatch.setattr(device, "busy_cores", lambda interval=0.05: 0.0)
    assert free_cores() == cores
    monkeypatch.setattr(device, "busy_cores", lambda interval=0.05: cores - 0.8)  # one core's worth left
    assert free_cores() == 1
    monkeypatch.setattr(device, "busy_cores", lambda interval=0.05: 100.0)
    assert free_cores() == 1


def test_busy_cores_sees_a_spinning_process():
    import subprocess
    import sys

    idle = device.busy_cores(0.2)
    if idle > (os.cpu_count() or 1) - 0.7:
        pytest.skip(f"no free core to spin on ({idle:.1f} busy)")
    spin = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        assert device.busy_cores(0.3) > idle + 0.5
    finally:
        spin.kill()
        spin.wait()


def test_busy_cores_reads_proc_stat(monkeypatch):
    """Two samples of /proc/stat's cpu line, 100 jiffies apart on a 2-core machine, 40 of them
    idle or iowait: 1.2 cores busy."""
    import io

    lines = iter(["cpu  100 0 100 700 100 0 0 0 0 0\n", "cpu  140 0 120 730 110 0 0 0 0 0\n"])
    monkeypatch.setattr("builtins.open", lambda *a, **k: io.StringIO(next(lines)))
    monkeypatch.setattr(device.os, "cpu_count", lambda: 2)
    assert device.busy_cores(0.0) == pytest.approx(2 * (1 - 40 / 100))


def test_auto_threads_tiny_ops_one_thread_and_user_choice_wins(monkeypatch):
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setattr(device, "busy_cores", lambda interval=0.05: 0.0)
    assert auto_threads(work=64 * 64) == 1
    assert auto_threads(work=1 << 30) == len(os.sched_getaffinity(0))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    assert auto_threads(work=1 << 30) == torch.get_num_threads()
    before = torch.get_num_threads()
    try:
        assert set_threads(1) == 1 and torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
    with pytest.raises(StorylabError):
        set_threads(-1)


def test_dtype_auto_follows_the_hardware():
    assert resolve_dtype("float32", "cpu") == "float32"
    assert resolve_dtype("bfloat16", "cpu") == "bfloat16"
    assert resolve_dtype("auto", "cpu") == ("bfloat16" if has_fast_bf16("cpu") else "float32")
    assert resolve_dtype("auto", "mps") == "float32"
    with pytest.raises(StorylabError):
        resolve_dtype("float16", "cpu")


def test_dtype_auto_keeps_float32_for_narrow_matmuls_on_a_cpu(monkeypatch):
    monkeypatch.setattr("storylab.device.has_fast_bf16", lambda device="cpu": True)
    assert resolve_dtype("auto", "cpu", width=64 * 512) == "float32"      # measured 0.69x in bf16
    assert resolve_dtype("auto", "cpu", width=128 * 4096) == "bfloat16"   # measured 1.31x
    assert resolve_dtype("auto", "cuda", width=64 * 512) == "bfloat16"
    assert resolve_dtype("bfloat16", "cpu", width=64 * 512) == "bfloat16"  # asked for: given
