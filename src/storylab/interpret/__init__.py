"""Looking inside trained models: attention heads, MLP neurons, residual-stream probes,
and out-of-distribution reversion. Each analysis is a library function; `inspect_run`
runs the chosen ones on a run directory and writes ``runs/NAME/inspect/``.

(This package is ``storylab.interpret``; it does not shadow the standard library's
``inspect`` for anyone importing that by its absolute name.)
"""

from storylab.interpret.heads import HeadReport, analyze_heads, classify, fit_offset_model, induction_scores, plot_heads
from storylab.interpret.neurons import CATEGORIES, NeuronReport, RunningTopK, analyze_neurons, tag_story, write_html
from storylab.interpret.ood import auroc, ood_analysis, plot_ood, unigram_from_run, unigram_from_tokens
from storylab.interpret.probes import (
                                     ProbeDataset,
                                     builtin_datasets,
                                     collect_activations,
                                     evaluate_probe,
                                     fit_logistic,
                                     fit_ridge,
                                     jsonl_dataset,
                                     probe_activations,
                                     run_probe_dataset,
)
from storylab.interpret.run import inspect_run, summary_line

__all__ = [
    "HeadReport", "analyze_heads", "classify", "fit_offset_model", "induction_scores", "plot_heads",
    "CATEGORIES", "NeuronReport", "RunningTopK", "analyze_neurons", "tag_story", "write_html",
    "auroc", "ood_analysis", "plot_ood", "unigram_from_run", "unigram_from_tokens",
    "ProbeDataset", "builtin_datasets", "collect_activations", "evaluate_probe", "fit_logistic", "fit_ridge", "jsonl_dataset",
    "probe_activations", "run_probe_dataset", "inspect_run", "summary_line",
]
