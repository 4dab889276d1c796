"""STOP (Zelikman et al. 2023): a self-taught optimizer, run in a sandbox that counts every attempt to leave it."""

from storylab.stop.run import StopResult, run_stop

__all__ = ["StopResult", "run_stop"]
