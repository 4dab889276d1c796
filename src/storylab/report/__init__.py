"""The HTML report of a run (`storylab report RUN`)."""

from storylab.report.html import build_report, register_section

__all__ = ["build_report", "register_section"]
