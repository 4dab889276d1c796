"""Grids of runs (`storylab sweep`): a spec of axes over config keys, trials on a process pool or Ray."""

from storylab.sweep.runner import SweepResult, read_results, run_sweep, run_trial
from storylab.sweep.spec import SweepSpec, Trial, load_spec

__all__ = ["SweepResult", "SweepSpec", "Trial", "load_spec", "read_results", "run_sweep", "run_trial"]
