"""Linear (and small MLP) probes on the residual stream, with controls and block holdout.

A probe dataset is a list of (text, character offset, target): the activation read is
the residual stream at the token holding that character, after the embedding
(``blocks.0.hook_resid_pre``: token plus position) and after each layer
(``blocks.{l}.hook_resid_post``).

- Continuous targets: ridge regression in closed form (via one SVD), the penalty chosen
  by k-fold cross-validation over a grid. Classes: multinomial logistic regression with
  an L2 penalty, fitted by L-BFGS in torch.
- Scores on held-out data: R² for regression, accuracy for classes. R² is
  out-of-sample: 1 - SSE / sum of squares around the *training* mean, so on a held-out
  block (one quarter of the map, one season) it measures the gain over predicting what
  the training data says on average, not over the test block's own mean.
- Splits: random (a share of the examples held out) and block holdout (each group in
  turn held out, scores averaged over groups).
- Control: the same probe on shuffled labels. With word-type labels (`types`), the
  shuffle is of the mapping type → label (Hewitt & Liang's control task), so that a
  probe that only memorises word identity scores as well on the control; otherwise
  the labels are permuted across examples. Selectivity = real − control.
- A small MLP probe (one hidden layer) beside the linear one.
- Neurons: the MLP units whose input weights (``mlp.fc`` rows, gate rows for SwiGLU,
  times the norm's gain) point most nearly along the probe direction (cosine).
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from storylab.device import device_of
from storylab.errors import StorylabError
from storylab.interpret.common import batches, encode_texts, pyplot
from storylab.io import iter_jsonl

ALPHAS = tuple(10.0 ** np.arange(-3, 6))


# --- the probes ----------------------------------------------------------------------------


def _t(x) -> torch.Tensor:
    return torch.as_tensor(np.asarray(x), dtype=torch.float64)


@dataclass
class Standardizer:
    mean: torch.Tensor
    std: torch.Tensor

    @classmethod
    def fit(cls, X: torch.Tensor) -> "Standardizer":
        return cls(X.mean(0), X.std(0).clamp(min=1e-8))

    def __call__(self, X: torch.Tensor) -> torch.Tensor:
        return (X - self.mean) / self.std


def r2_score(y: np.ndarray, pred: np.ndarray, ref_mean: np.ndarray | None = None) -> float:
    """R² averaged over targets; against `ref_mean` (the training mean) when given."""
    y, pred = np.asarray(y, dtype=np.float64).reshape(len(y), -1), np.asarray(pred, dtype=np.float64).reshape(len(y), -1)
    mu = y.mean(0) if ref_mean is None else np.asarray(ref_mean, dtype=np.float64).reshape(-1)
    sse = ((y - pred) ** 2).sum(0)
    sst = ((y - mu) ** 2).sum(0)
    return float(np.mean(1 - sse / np.maximum(sst, 1e-12)))


def _ridge_solve(U, s, Vt, y, alpha):
    """Weights for centered X = U diag(s) Vt and centered y."""
    f = s / (s ** 2 + alpha)
    return Vt.T @ (f[:, None] * (U.T @ y))


@dataclass
class RidgeProbe:
    alpha: float
    coef: torch.Tensor           # [d, t] on standardized features
    intercept: torch.Tensor      # [t]
    scaler: Standardizer
    cv_scores: dict = field(default_factory=dict)

    def predict(self, X) -> np.ndarray:
        return (self.scaler(_t(X)) @ self.coef + self.intercept).numpy()

    def direction(self) -> np.ndarray:
        """Probe directions in the raw activation space, [t, d]."""
        return (self.coef / self.scaler.std[:, None]).T.numpy()


def fit_ridge(X, y, alphas=ALPHAS, folds: int = 5, seed: int = 0) -> RidgeProbe:
    """Ridge regression with the penalty chosen by k-fold CV (mean R² over targets)."""
    X, y = _t(X), _t(y).reshape(len(X), -1)
    n = len(X)
    g = np.random.default_rng(seed)
    fold = g.permutation(n) % max(2, min(folds, n))
    cv = {a: [] for a in alphas}
    for f in range(fold.max() + 1):
        tr, te = fold != f, fold == f
        if te.sum() == 0 or tr.sum() < 2:
            continue
        sc = Standardizer.fit(X[tr])
        Xtr, Xte = sc(X[tr]), sc(X[te])
        ym = y[tr].mean(0)
        U, s, Vt = torch.linalg.svd(Xtr, full_matrices=False)
        for a in alphas:
            w = _ridge_solve(U, s, Vt, y[tr] - ym, a * len(Xtr))
            cv[a].append(r2_score(y[te].numpy(), (Xte @ w + ym).numpy(), ym.numpy()))
    mean_cv = {a: float(np.mean(v)) if v else -np.inf for a, v in cv.items()}
    best = max(alphas, key=lambda a: mean_cv[a])
    sc = Standardizer.fit(X)
    ym = y.mean(0)
    U, s, Vt = torch.linalg.svd(sc(X), full_matrices=False)
    w = _ridge_solve(U, s, Vt, y - ym, best * n)
    return RidgeProbe(best, w, ym, sc, mean_cv)


@dataclass
class LogisticProbe:
    W: torch.Tensor   # [d, C] on standardized features
    b: torch.Tensor   # [C]
    scaler: Standardizer
    classes: np.ndarray
    l2: float

    def predict(self, X) -> np.ndarray:
        z = self.scaler(_t(X)).float() @ self.W + self.b
        return self.classes[z.argmax(1).numpy()]

    def direction(self) -> np.ndarray:
        return (self.W.double() / self.scaler.std[:, None]).T.numpy()


def fit_logistic(X, y, l2: float = 1e-2, max_iter: int = 100) -> LogisticProbe:
    """Multinomial logistic regression, L2 penalty on the weights, L-BFGS."""
    classes, yi = np.unique(np.asarray(y), return_inverse=True)
    sc = Standardizer.fit(_t(X))
    Xs = sc(_t(X)).float()
    Y = torch.as_tensor(yi)
    d, C = Xs.shape[1], len(classes)
    W = torch.zeros(d, C, requires_grad=True)
    b = torch.zeros(C, requires_grad=True)
    opt = torch.optim.LBFGS([W, b], lr=1, max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(Xs @ W + b, Y) + l2 * (W ** 2).sum()
        loss.backward()
        return loss

    with torch.enable_grad():
        opt.step(closure)
    return LogisticProbe(W.detach(), b.detach(), sc, classes, l2)


def fit_logistic_cv(X, y, l2s=(1e-3, 1e-2, 1e-1), folds: int = 3, seed: int = 0) -> LogisticProbe:
    y = np.asarray(y)
    fold = np.random.default_rng(seed).permutation(len(y)) % folds
    best, best_acc = l2s[0], -1.0
    for l2 in l2s:
        accs = []
        for f in range(folds):
            tr, te = fold != f, fold == f
            if te.sum() == 0 or len(np.unique(y[tr])) < 2:
                continue
            accs.append(float((fit_logistic(X[tr], y[tr], l2).predict(X[te]) == y[te]).mean()))
        if accs and np.mean(accs) > best_acc:
            best, best_acc = l2, float(np.mean(accs))
    return fit_logistic(X, y, best)


class MLPProbe:
    """One hidden layer (ReLU), Adam with weight decay, early stopping on a validation slice."""

    def __init__(self, X, y, classify: bool, hidden: int = 64, epochs: int = 200, lr: float = 3e-3,
                 weight_decay: float = 1e-3, seed: int = 0):
        torch.manual_seed(seed)
        self.classify = classify
        self.scaler = Standardizer.fit(_t(X))
        Xs = self.scaler(_t(X)).float()
        if classify:
            self.classes, yi = np.unique(np.asarray(y), return_inverse=True)
            Y = torch.as_tensor(yi)
            out = len(self.classes)
        else:
            Yr = _t(y).reshape(len(Xs), -1)
            self.ym, self.ys = Yr.mean(0), Yr.std(0).clamp(min=1e-8)
            Y = ((Yr - self.ym) / self.ys).float()
            out = Y.shape[1]
        g = np.random.default_rng(seed)
        perm = g.permutation(len(Xs))
        nv = max(1, len(Xs) // 8)
        va, tr = torch.as_tensor(perm[:nv]), torch.as_tensor(perm[nv:])
        self.net = torch.nn.Sequential(torch.nn.Linear(Xs.shape[1], hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, out))
        opt = torch.optim.Adam(self.net.parameters(), lr=lr, weight_decay=weight_decay)
        lossf = torch.nn.functional.cross_entropy if classify else torch.nn.functional.mse_loss
        best, best_state, bad = math.inf, None, 0
        with torch.enable_grad():
            for _ in range(epochs):
                opt.zero_grad()
                loss = lossf(self.net(Xs[tr]), Y[tr])
                loss.backward()
                opt.step()
                with torch.no_grad():
                    v = float(lossf(self.net(Xs[va]), Y[va]))
                if v < best - 1e-5:
                    best, bad = v, 0
                    best_state = {k: t.clone() for k, t in self.net.state_dict().items()}
                else:
                    bad += 1
                    if bad > 20:
                        break
        if best_state is not None:
            self.net.load_state_dict(best_state)

    def predict(self, X) -> np.ndarray:
        with torch.no_grad():
            z = self.net(self.scaler(_t(X)).float())
        if self.classify:
            return self.classes[z.argmax(1).numpy()]
        return (z.double() * self.ys + self.ym).numpy()


@contextlib.contextmanager
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(n)


# --- splits and evaluation ----------------------------------------------------------------


def random_split(n: int, test_fraction: float = 0.25, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    perm = np.random.default_rng(seed).permutation(n)
    k = max(1, int(round(n * test_fraction)))
    return np.sort(perm[k:]), np.sort(perm[:k])


def shuffled_labels(y: np.ndarray, types=None, seed: int = 0) -> np.ndarray:
    """Control labels: the type → label map shuffled (with `types`), else examples permuted."""
    g = np.random.default_rng(seed + 7919)
    y = np.asarray(y)
    if types is None:
        return y[g.permutation(len(y))]
    types = np.asarray(types)
    uniq, inv = np.unique(types, return_inverse=True)
    first = np.array([np.flatnonzero(inv == i)[0] for i in range(len(uniq))])
    donor = first[g.permutation(len(uniq))]  # each type takes another type's label
    return y[donor][inv]


def _score(classify: bool, y_true, pred, ref_mean=None) -> float:
    if classify:
        return float((np.asarray(pred) == np.asarray(y_true)).mean())
    return r2_score(y_true, pred, ref_mean)


def _fit(classify, X, y, seed=0):
    return fit_logistic_cv(X, y, seed=seed) if classify else fit_ridge(X, y, seed=seed)


def evaluate_probe(X, y, classify: bool = False, groups=None, types=None, test_fraction: float = 0.25,
                   seed: int = 0, mlp: bool = True, control: bool = True) -> dict:
    """Scores of linear (and MLP) probes on one activation matrix; see the module docstring."""
    with one_thread():  # small matrices: thread hand-offs cost more than they save
        return _evaluate_probe(X, y, classify, groups, types, test_fraction, seed, mlp, control)


def _evaluate_probe(X, y, classify, groups, types, test_fraction, seed, mlp, control) -> dict:
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if not classify:
        y = y.astype(np.float64).reshape(len(y), -1)
    out: dict = {"n": int(len(X)), "metric": "accuracy" if classify else "r2"}
    tr, te = random_split(len(X), test_fraction, seed)
    ref = None if classify else y[tr].mean(0)
    probe = _fit(classify, X[tr], y[tr], seed)
    out["random"] = _score(classify, y[te], probe.predict(X[te]), ref)
    if classify:
        out["chance"] = float(max(np.mean(y[te] == c) for c in np.unique(y[tr])))
    else:
        out["alpha"] = probe.alpha
    if control:
        yc = shuffled_labels(y, types, seed)
        cp = _fit(classify, X[tr], yc[tr], seed)
        out["control"] = _score(classify, yc[te], cp.predict(X[te]), None if classify else yc[tr].mean(0))
        out["control_kind"] = "type" if types is not None else "permute"
        out["selectivity"] = out["random"] - out["control"]
    if mlp:
        m = MLPProbe(X[tr], y[tr], classify, seed=seed)
        out["mlp_random"] = _score(classify, y[te], m.predict(X[te]), ref)
    if groups is not None:
        groups = np.asarray(groups)
        per = {}
        for gv in np.unique(groups):
            te_b, tr_b = groups == gv, groups != gv
            if tr_b.sum() < 5 or te_b.sum() < 2 or (classify and len(np.unique(y[tr_b])) < 2):
                continue
            pb = _fit(classify, X[tr_b], y[tr_b], seed)
            per[str(gv)] = _score(classify, y[te_b], pb.predict(X[te_b]), None if classify else y[tr_b].mean(0))
        if per:
            out["block"] = float(np.mean(list(per.values())))
            out["block_per_group"] = per
    out["_probe"] = probe  # dropped before writing JSON
    return out


# --- datasets ------------------------------------------------------------------------------


@dataclass
class ProbeDataset:
    """Examples (text index, character offset) with targets, groups and word types."""

    name: str
    texts: list[str]
    items: list[tuple[int, int]]
    y: np.ndarray
    classify: bool = False
    target_names: list[str] = field(default_factory=list)
    groups: np.ndarray | None = None
    group_kind: str = ""
    types: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.items)


def _quadrant(x: float, y: float) -> str:
    return ("N" if y > 0 else "S") + ("E" if x > 0 else "W")


def space_dataset(records: list[dict]) -> ProbeDataset:
    """Each place word the story world marked → its (x, y) on the village map.

    Blocks for holdout: map quadrants by sign (x > 0 east, y > 0 north; places on the
    axes count as west / south)."""
    texts, items, ys, groups, types = [], [], [], [], []
    for rec in records:
        ps = [p for p in (rec.get("meta") or {}).get("places") or [] if isinstance(p.get("offset"), int)]
        if not ps:
            continue
        texts.append(rec["text"])
        for p in ps:
            items.append((len(texts) - 1, p["offset"]))
            ys.append((float(p["x"]), float(p["y"])))
            groups.append(_quadrant(p["x"], p["y"]))
            types.append(str(p.get("name")))
    return ProbeDataset("space", texts, items, np.array(ys).reshape(-1, 2), False, ["x", "y"], np.array(groups),
                        "map quadrant", np.array(types))


def time_dataset(records: list[dict], kind: str = "time_of_day") -> ProbeDataset:
    """Each marked time word of `kind` → its value (hour of day, day index, season index);
    blocks: each value held out in turn (can a probe place an unseen time in order?)."""
    name = {"time_of_day": "time", "day": "day", "season": "season"}.get(kind, kind)
    texts, items, ys, groups, types = [], [], [], [], []
    for rec in records:
        ts = [t for t in (rec.get("meta") or {}).get("times") or []
              if isinstance(t.get("offset"), int) and t.get("kind") == kind and t.get("value") is not None]
        if not ts:
            continue
        texts.append(rec["text"])
        for t in ts:
            items.append((len(texts) - 1, t["offset"]))
            ys.append(float(t["value"]))
            groups.append(str(t.get("word")))
            types.append(str(t.get("word")))
    return ProbeDataset(name, texts, items, np.array(ys).reshape(-1, 1), False, [kind], np.array(groups),
                        f"{kind} value", np.array(types))


_SENT_END = ".!?"


def characters_dataset(records: list[dict], max_per_story: int = 6) -> ProbeDataset:
    """At sentence ends: how many characters the story has introduced so far."""
    texts, items, ys, groups = [], [], [], []
    for rec in records:
        meta = rec.get("meta") or {}
        firsts = sorted(c["first_mention"] for c in meta.get("characters") or [] if isinstance(c.get("first_mention"), int))
        if not firsts:
            continue
        text = rec["text"]
        ends = [i for i, ch in enumerate(text) if ch in _SENT_END and i > firsts[0]]
        if not ends:
            continue
        texts.append(text)
        step = max(1, len(ends) // max_per_story)
        for e in ends[::step][:max_per_story]:
            n = sum(f < e for f in firsts)
            items.append((len(texts) - 1, e))
            ys.append(float(n))
            groups.append(str(n))
    return ProbeDataset("characters", texts, items, np.array(ys).reshape(-1, 1), False, ["n_characters"],
                        np.array(groups), "count held out", None)


def boxes_dataset(records: list[dict]) -> ProbeDataset:
    """Entity tracking: where the story asks which box holds an object, the answer's class,
    read at the last token before the answer."""
    texts, items, ys = [], [], []
    for rec in records:
        for s in (rec.get("meta") or {}).get("skills") or []:
            if s.get("skill") == "entity_tracking" and isinstance(s.get("prompt_end"), int) and s["prompt_end"] > 0:
                # the last character of the word before the answer: byte-level tokens carry
                # their leading space, so prompt_end - 1 would already be the answer's token
                last = len(rec["text"][:s["prompt_end"]].rstrip()) - 1
                if last < 0:
                    continue
                texts.append(rec["text"])
                items.append((len(texts) - 1, last))
                ys.append(str(s.get("answer")))
    return ProbeDataset("boxes", texts, items, np.array(ys, dtype=object).astype(str), True, ["answer"], None, "", None)


def builtin_datasets(records: list[dict]) -> list[ProbeDataset]:
    out = [space_dataset(records), time_dataset(records, "time_of_day"), time_dataset(records, "day"),
           time_dataset(records, "season"), characters_dataset(records), boxes_dataset(records)]
    return out


def jsonl_dataset(path, name: str | None = None) -> ProbeDataset:
    """A user's probe data: JSONL lines {"text", "position" (character offset), "target"
    (number, list of numbers, or a class string), "group"? (for block holdout)}."""
    texts, index, items, ys, groups = [], {}, [], [], []
    for i, r in enumerate(iter_jsonl(path, "probe data"), 1):
        if not isinstance(r.get("text"), str) or not isinstance(r.get("position"), int) or "target" not in r:
            raise StorylabError(f"{path}: line {i} needs 'text', an integer 'position' and 'target'")
        if not 0 <= r["position"] < len(r["text"]):
            raise StorylabError(f"{path}: line {i}: position {r['position']} is outside the text")
        t = r["text"]
        if t not in index:
            index[t] = len(texts)
            texts.append(t)
        items.append((index[t], r["position"]))
        ys.append(r["target"])
        groups.append(str(r.get("group", "")))
    if not items:
        raise StorylabError(f"{path}: no probe examples")
    classify = any(isinstance(v, str) for v in ys)
    y = np.array([str(v) for v in ys]) if classify else np.array(ys, dtype=np.float64).reshape(len(ys), -1)
    has_groups = any(groups) and len(set(groups)) > 1
    return ProbeDataset(name or Path(path).stem, texts, items, y, classify, [], np.array(groups) if has_groups else None,
                        "group" if has_groups else "", None)


# --- activations -----------------------------------------------------------------------------


def layer_names(n_layers: int) -> list[tuple[str, str]]:
    """(label, hook name): the embedding (token + position), then each layer's output."""
    return [("embed", "blocks.0.hook_resid_pre")] + [(f"L{l}", f"blocks.{l}.hook_resid_post") for l in range(n_layers)]


@torch.no_grad()
def probe_activations(model, tokenizer, ds: ProbeDataset, batch_size: int = 16,
                      progress=None) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Residual activations at each example's token: {label: [n, d]}, and a keep mask
    (False for examples whose offset falls past the model's context; their rows are 0)."""
    model.eval()
    stories = encode_texts(tokenizer, ds.texts, model.cfg.context, min_tokens=1)
    per_text: dict[int, list[tuple[int, int]]] = {}
    keep = np.zeros(len(ds.items), dtype=bool)
    for k, (ti, ch) in enumerate(ds.items):
        tpos = stories[ti].token_at(ch)
        if tpos is not None:
            per_text.setdefault(ti, []).append((k, tpos))
            keep[k] = True
    names = layer_names(model.cfg.n_layers)
    d = model.cfg.d_model
    acts = {lab: np.zeros((len(ds.items), d), dtype=np.float32) for lab, _ in names}
    used = [i for i in range(len(stories)) if i in per_text]
    dev = device_of(model)
    for idx, tokens, _ in batches([stories[i] for i in used], batch_size):
        _, cache = model.run_with_cache(tokens.to(dev), names=[n for _, n in names])
        for r, j in enumerate(idx):
            ti = used[j]
            ks = [k for k, _ in per_text[ti]]
            ps = [p for _, p in per_text[ti]]
            for lab, n in names:
                acts[lab][ks] = cache[n][r, ps].float().cpu().numpy()
        if progress:
            progress(len(idx))
    return acts, keep


def collect_activations(model, tokenizer, datasets: list[ProbeDataset], batch_size: int = 16,
                        progress=None) -> list[tuple[dict[str, np.ndarray], np.ndarray]]:
    """`probe_activations` for several datasets in one pass over their texts (shared texts run once)."""
    texts, index, items, spans = [], {}, [], []
    for ds in datasets:
        start = len(items)
        for ti, ch in ds.items:
            t = ds.texts[ti]
            if t not in index:
                index[t] = len(texts)
                texts.append(t)
            items.append((index[t], ch))
        spans.append((start, len(items)))
    merged = ProbeDataset("all", texts, items, np.zeros(len(items)))
    acts, keep = probe_activations(model, tokenizer, merged, batch_size, progress)
    return [({k: v[a:b] for k, v in acts.items()}, keep[a:b]) for a, b in spans]


def aligned_neurons(model, label: str, directions: np.ndarray, top: int = 5) -> list[list[dict]]:
    """For each probe direction (rows of [t, d]), the MLP units reading most along it.

    The embedding and layer l's output are read by the next block's MLP (the last
    layer's output by its own MLP); a unit's read direction is its fc row (gate row
    for SwiGLU) times the norm's gain, centered for LayerNorm."""
    L = model.cfg.n_layers
    layer = 0 if label == "embed" else min(int(label[1:]) + 1, L - 1)
    block = model.blocks[layer]
    Wfc = block.mlp.fc.weight.detach().double().cpu()[: model.cfg.hidden]  # [hidden, d]
    g = block.ln2.weight.detach().double().cpu()
    R = Wfc * g[None]
    if model.cfg.norm == "layernorm":
        R = R - R.mean(1, keepdim=True)
    R = R / R.norm(dim=1, keepdim=True).clamp(min=1e-12)
    out = []
    for v in np.atleast_2d(directions):
        v = torch.as_tensor(v, dtype=torch.float64)
        if model.cfg.norm == "layernorm":
            v = v - v.mean()
        cos = R @ (v / v.norm().clamp(min=1e-12))
        order = torch.argsort(cos.abs(), descending=True)[:top]
        out.append([{"layer": layer, "neuron": int(i), "cosine": round(float(cos[i]), 4)} for i in order])
    return out


def run_probe_dataset(model, tokenizer, ds: ProbeDataset, seed: int = 0, mlp: bool = True,
                      progress=None, activations=None) -> dict:
    """Every layer's probe scores for one dataset (`activations`: from `collect_activations`)."""
    acts, keep = activations if activations is not None else probe_activations(model, tokenizer, ds, progress=progress)
    acts = {k: v[keep] for k, v in acts.items()}
    y = ds.y[keep]
    groups = ds.groups[keep] if ds.groups is not None else None
    types = ds.types[keep] if ds.types is not None else None
    res = {"dataset": ds.name, "n": int(keep.sum()), "classify": ds.classify, "targets": ds.target_names,
           "block_kind": ds.group_kind, "layers": {}}
    if keep.sum() < 10 or (ds.classify and len(np.unique(y)) < 2):
        res["skipped"] = "too few examples"
        return res
    for lab, X in acts.items():
        r = evaluate_probe(X, y, ds.classify, groups, types, seed=seed, mlp=mlp)
        probe = r.pop("_probe")
        r["neurons"] = aligned_neurons(model, lab, probe.direction())
        res["layers"][lab] = r
    best = max(res["layers"], key=lambda k: res["layers"][k]["random"])
    res["best_layer"] = best
    res["best"] = res["layers"][best]["random"]
    return res


def plot_probes(results: list[dict], path: Path) -> Path:
    plt = pyplot()
    results = [r for r in results if r.get("layers")]
    n = max(1, len(results))
    cols = min(3, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3 * rows), squeeze=False)
    for ax in axes.flat[len(results):]:
        ax.set_visible(False)
    for ax, r in zip(axes.flat, results):
        labs = list(r["layers"])
        x = np.arange(len(labs))
        for key, style in (("random", "o-"), ("block", "s--"), ("control", "x:"), ("mlp_random", "^-.")):
            vals = [r["layers"][l].get(key) for l in labs]
            if any(v is not None for v in vals):
                ax.plot(x, [np.nan if v is None else v for v in vals], style, label=key, ms=4)
        ax.set_xticks(x)
        ax.set_xticklabels(labs, fontsize=7)
        ax.set_title(f"{r['dataset']} ({'acc' if r['classify'] else 'R²'})", fontsize=9)
        ax.set_ylim(-0.5 if not r["classify"] else 0, 1.02)
        ax.axhline(0, color="k", lw=0.5)
        ax.legend(fontsize=6)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
