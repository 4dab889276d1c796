"""Evaluation: held-out loss, the capability suite, the LLM judge, novelty vs the training data.

Library entry points (the CLI verb `storylab eval` wraps `evaluate_run`):

- `evaluate_run(run, EvalOptions(...))` -> `EvalResult` (`.data` is eval/summary.json); writes ``runs/NAME/eval/*.json``
- `split_loss(model, data_dir)`, `text_loss(model, tokenizer, path)` -> `LossResult`
- `load_tasks(paths)`, `run_suite(model, tokenizer, items)` -> `SuiteResult`; `wilson`
- `parse_grades(text)`, `judge_completions(completions, judge_endpoint(url, model), cache_path, repeats=K)`,
  `judge_difference(judge_a, judge_b)`
- `index_for_data(data_dir)`, `index_for_corpus(path)`, `index_for_reference(path)`, `novelty(index, texts)`
"""

from storylab.evaluate.judge import judge_completions, judge_difference, judge_endpoint, parse_grades
from storylab.evaluate.loss import LossResult, split_loss, text_loss
from storylab.evaluate.novelty import NgramIndex, index_for_corpus, index_for_data, index_for_reference, novelty
from storylab.evaluate.runner import EvalOptions, EvalResult, evaluate_run, load_summary
from storylab.evaluate.suite import SuiteResult, run_suite, score_items, summarize, wilson
from storylab.evaluate.tasks import Item, load_tasks

__all__ = ["EvalOptions", "EvalResult", "Item", "LossResult", "NgramIndex", "SuiteResult", "evaluate_run",
           "index_for_corpus", "index_for_data", "index_for_reference", "judge_completions", "judge_difference",
           "judge_endpoint", "load_summary", "load_tasks", "novelty", "parse_grades", "run_suite", "score_items", "split_loss", "summarize", "text_loss", "wilson"]
