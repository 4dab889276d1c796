"""Statistics for judge grades: intervals, agreement between repeated gradings, run differences.

All with NumPy, no SciPy. Intervals are **normal approximations** (mean ± 1.96 standard
errors) computed over *clusters* — the story beginnings — rather than over single
completions: several completions of one beginning share its difficulty, so counting
them as independent would make the interval too narrow. With one completion per
beginning this is the ordinary interval.

Agreement between repeats (the same completion graded K times):

- Krippendorff's alpha with the interval metric: 1 - D_o / D_e, where D_o is the mean
  squared difference between two grades of the *same* completion and D_e between any
  two grades at all. 1 = repeats agree exactly, 0 = no better than grades drawn at
  random from the pool. Missing repeats (rejected answers) are allowed.
- the mean pairwise Spearman rank correlation between repeat r and repeat s over the
  completions graded in both (ties get average ranks).
"""

from __future__ import annotations

import math
from itertools import combinations

import numpy as np

Z95 = 1.959963984540054


def mean_ci(values, groups=None, z: float = Z95) -> tuple[float, float, float]:
    """Mean and a normal-approximation 95% interval; with `groups`, the standard error is the
    cluster-robust one (values of a group are averaged first, groups weighted by size)."""
    v = np.asarray(values, dtype=float)
    n = len(v)
    if n == 0:
        return float("nan"), float("nan"), float("nan")
    m = float(v.mean())
    if groups is None:
        groups = list(range(n))
    keys, inv = np.unique(np.asarray([str(g) for g in groups]), return_inverse=True)
    g = len(keys)
    if g < 2:
        return m, float("nan"), float("nan")
    # cluster-robust standard error of a mean: sqrt(G/(G-1) * sum_g (sum_{i in g} (v_i - m))^2) / n
    resid = np.bincount(inv, weights=v - m, minlength=g)
    se = math.sqrt(g / (g - 1) * float((resid ** 2).sum())) / n
    return m, m - z * se, m + z * se


def krippendorff_alpha_interval(units: list[list[float]]) -> float:
    """Krippendorff's alpha, interval metric; `units` holds each completion's grades (any count)."""
    units = [np.asarray([x for x in u if x is not None and x == x], dtype=float) for u in units]
    units = [u for u in units if len(u) >= 2]
    if not units:
        return float("nan")
    allv = np.concatenate(units)
    n = len(allv)
    d_o = sum(float(((u[:, None] - u[None, :]) ** 2).sum()) / (len(u) - 1) for u in units) / n
    # sum over all ordered pairs of (a - b)^2 = 2 n sum v^2 - 2 (sum v)^2
    d_e = (2 * n * float((allv ** 2).sum()) - 2 * float(allv.sum()) ** 2) / (n * (n - 1))
    if d_e == 0:
        return 1.0 if d_o == 0 else float("nan")
    return 1.0 - d_o / d_e


def _ranks(x: np.ndarray) -> np.ndarray:
    order = np.argsort(x, kind="mergesort")
    r = np.empty(len(x), dtype=float)
    r[order] = np.arange(1, len(x) + 1)
    for v in np.unique(x):  # ties: average rank
        idx = x == v
        if idx.sum() > 1:
            r[idx] = r[idx].mean()
    return r


def spearman(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if len(a) < 3:
        return float("nan")
    ra, rb = _ranks(a), _ranks(b)
    sa, sb = ra.std(), rb.std()
    if sa == 0 or sb == 0:
        return float("nan")
    return float(((ra - ra.mean()) * (rb - rb.mean())).mean() / (sa * sb))


def mean_pairwise_spearman(matrix: list[list[float | None]]) -> float:
    """`matrix[r][i]`: repeat r's grade of completion i (None if rejected)."""
    vals = []
    for r, s in combinations(range(len(matrix)), 2):
        both = [(x, y) for x, y in zip(matrix[r], matrix[s]) if x is not None and y is not None]
        if len(both) >= 3:
            rho = spearman([x for x, _ in both], [y for _, y in both])
            if rho == rho:
                vals.append(rho)
    return float(np.mean(vals)) if vals else float("nan")


def repeat_stats(per_completion: list[list[float | None]]) -> dict:
    """Per dimension, from each completion's K repeat grades: spread and agreement."""
    k = max((len(u) for u in per_completion), default=0)
    graded = [[x for x in u if x is not None] for u in per_completion]
    multi = [u for u in graded if len(u) >= 2]
    sds = [float(np.std(u, ddof=1)) for u in multi]
    ranges = [max(u) - min(u) for u in multi]
    matrix = [[u[r] if r < len(u) else None for u in per_completion] for r in range(k)]
    return {"repeats": k, "units": len(multi),
            "sd_within": float(np.mean(sds)) if sds else float("nan"),       # mean SD across repeats
            "range_mean": float(np.mean(ranges)) if ranges else float("nan"),
            "exact_agreement": float(np.mean([r == 0 for r in ranges])) if ranges else float("nan"),
            "alpha": krippendorff_alpha_interval(graded),
            "spearman": mean_pairwise_spearman(matrix)}


def paired_difference(a: dict, b: dict, groups: dict | None = None, z: float = Z95) -> dict:
    """Mean of a[id] - b[id] over the ids both have, with a cluster-robust normal 95% interval
    (clusters: `groups[id]`, e.g. the beginning). Unpaired (Welch, normal) when none match."""
    ids = [i for i in a if i in b]
    if ids:
        d = [a[i] - b[i] for i in ids]
        m, lo, hi = mean_ci(d, [groups.get(i, i) for i in ids] if groups else None, z)
        return {"diff": m, "ci_low": lo, "ci_high": hi, "n": len(ids), "paired": True}
    ma, la, _ = mean_ci(list(a.values()))
    mb, lb, _ = mean_ci(list(b.values()))
    if not a or not b:
        return {"diff": float("nan"), "ci_low": float("nan"), "ci_high": float("nan"), "n": 0, "paired": False}
    se = math.sqrt(((ma - la) / z) ** 2 + ((mb - lb) / z) ** 2) if la == la and lb == lb else float("nan")
    return {"diff": ma - mb, "ci_low": ma - mb - z * se, "ci_high": ma - mb + z * se,
            "n": min(len(a), len(b)), "paired": False}
