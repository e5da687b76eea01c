"""Does augmentation help a classifier? ``MaskGITSampler.fit_resample`` against random
oversampling, SMOTE and classic time-series augmentation, on shared datasets made imbalanced or
small from their train splits.

For each dataset, scenario and seed the training set is cut from the train split (seeded):

- ``imbalanced``: the larger half of the classes keep up to ``--majority`` series each (100), the
  smaller half (at least one class) are cut to 15 % of the largest kept class, at least 4 series
  (fewer where the split has fewer);
- ``heavy``: the same with ``--heavy-majority`` (300) and the minority cut to 3 %, at least 4
  series: about 1:35;
- ``small``: ``--per-class`` series of each class (8).

Each method then tops every class up to the largest class's count (imbalanced-learn's
``sampling_strategy="auto"``, and ``"all"`` for ``small``, which doubles every class):

- ``none``: the cut set alone;
- ``maskgit``: ``MaskGITSampler(max_time=--sampler-time, random_state=seed).fit_resample``, its
  defaults otherwise (the default tokenizer; edits of the class's own series,
  ``resampling="edit"``);
- ``maskgit_generate``: the same fitted sampler's ``sample`` for each class's count, as
  ``resampling="generate"`` would give (one fit serves both);
- ``ros``, ``smote``: imbalanced-learn's ``RandomOverSampler`` and ``SMOTE`` on the raw series;
- ``jitter``, ``window_warp``: random series of the class, drawn with replacement, through
  ``skncvq.augment``'s ``gaussian_noise`` or ``window_warp``.

Two classifiers are trained on every set and scored by balanced accuracy on the untouched test
split: ``FCNClassifier(max_time=--fcn-time)`` (its 200 epochs, or fewer when the time runs out)
and MiniRocket + RidgeClassifierCV (aeon, run by the interpreter given with
``--minirocket-python``; left empty without it). Rows go to
``results/augmentation.csv`` as they finish (resumable); ``--summary`` writes the Markdown.

Usage:
  python benchmarks/augmentation.py --data-home DIR --datasets SonyAIBORobotSurface1,ECG5000 \
      --seeds 0,1,2 --minirocket-python ENV/bin/python
  python benchmarks/augmentation.py --summary
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from _common import RESULTS, append_row, markdown_table, read_rows, run_minirocket

CSV = RESULTS / "augmentation.csv"
METHODS = ["none", "maskgit", "maskgit_generate", "ros", "smote", "jitter", "window_warp"]
CLASSIFIERS = ["fcn", "minirocket"]


def cut(X, y, scenario: str, seed: int, cap: int, per_class: int, minority: float = 0.15):
    """The training subset of ``scenario`` (see the module docstring), drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    labels, counts = np.unique(y, return_counts=True)
    if scenario == "small":
        keep = {c: min(per_class, n) for c, n in zip(labels, counts)}
    else:
        order = labels[np.lexsort((labels, -counts))]  # largest first, ties by label
        n_minor = max(1, len(labels) // 2)
        big = set(order[: len(labels) - n_minor].tolist())
        kept = {c: min(cap, n) for c, n in zip(labels, counts) if c in big}
        minor = max(4, round(minority * max(kept.values())))
        keep = {c: kept.get(c, min(minor, n)) for c, n in zip(labels, counts)}
    idx = np.concatenate([rng.choice(np.flatnonzero(y == c), keep[c], replace=False) for c in labels])
    return X[np.sort(idx)], y[np.sort(idx)]


def _classic(X, y, name: str, strategy: str, seed: int):
    """Top classes up by augmenting random series of the class (with replacement)."""
    import torch
    from imblearn.over_sampling import RandomOverSampler

    from skncvq.augment import augment

    X_res, y_res = RandomOverSampler(sampling_strategy=strategy, random_state=seed).fit_resample(X, y)
    new = slice(len(X), None)  # imbalanced-learn appends the drawn copies after the originals
    g = torch.Generator().manual_seed(seed)
    aug_name = {"jitter": "gaussian_noise", "window_warp": "window_warp"}[name]
    copies = torch.as_tensor(X_res[new], dtype=torch.float32)[:, None, :]
    X_res = X_res.astype(np.float32)
    if len(copies):
        X_res[new] = augment(copies, (aug_name,), generator=g)[:, 0, :].numpy()
    return X_res, y_res


def _targets(y, strategy: str) -> dict:
    """New series per class: up to the largest class ("auto": all but it; "all": every class)."""
    labels, counts = np.unique(y, return_counts=True)
    top = counts.max()
    return {c: top - n for c, n in zip(labels, counts) if strategy == "all" or n < top}


def resample(method: str, X, y, strategy: str, seed: int, fitted: dict, sampler_time: float | None = None):
    """``(X_res, y_res)`` of ``method``, the originals first; ``fitted`` keeps the sampler that
    ``maskgit`` fitted for ``maskgit_generate``."""
    from imblearn.over_sampling import SMOTE, RandomOverSampler

    from skncvq import MaskGITSampler

    if method == "none":
        return X, y
    if method == "maskgit":
        fitted["maskgit"] = MaskGITSampler(
            sampling_strategy=strategy, max_time=sampler_time, random_state=seed
        )
        return fitted["maskgit"].fit_resample(X, y)
    if method == "maskgit_generate":
        sampler = fitted["maskgit"]
        parts = [
            (sampler.sample(n, y=c, random_state=seed + i), np.full(n, c))
            for i, (c, n) in enumerate(_targets(y, strategy).items())
            if n
        ]
        return np.concatenate([X, *(p[0] for p in parts)]), np.concatenate([y, *(p[1] for p in parts)])
    if method == "ros":
        return RandomOverSampler(sampling_strategy=strategy, random_state=seed).fit_resample(X, y)
    if method == "smote":
        k = int(min(5, np.unique(y, return_counts=True)[1].min() - 1))
        return SMOTE(sampling_strategy=strategy, k_neighbors=k, random_state=seed).fit_resample(X, y)
    return _classic(X, y, method, strategy, seed)


def _minirocket(python: str | None, sets: dict, X_te, y_te, seed: int, threads: int) -> dict:
    if not python:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sets.npz"
        arrays = {"X_test": X_te, "y_test": y_te}
        for name, (X, y) in sets.items():
            arrays[f"X_{name}"], arrays[f"y_{name}"] = X, y
        np.savez(path, **arrays)
        return run_minirocket(python, "npz", path, seed, threads)


def run(args) -> None:
    import torch
    from sklearn.metrics import balanced_accuracy_score
    from study import cpu_name

    from skncvq import FCNClassifier, __version__
    from skncvq.allocator import tune_malloc
    from skncvq.datasets import load_ucr

    tune_malloc()
    torch.set_num_threads(args.threads)
    done = {(r["dataset"], r["scenario"], r["seed"]) for r in read_rows(CSV)}
    for scenario in args.scenarios.split(","):
        strategy = "all" if scenario == "small" else "auto"
        for dataset in args.datasets.split(","):
            X_full, y_full, X_te, y_te = load_ucr(dataset, data_home=args.data_home, download=False)
            for seed in map(int, args.seeds.split(",")):
                if (dataset, scenario, str(seed)) in done:
                    continue
                if scenario == "heavy":
                    X, y = cut(X_full, y_full, scenario, seed, args.heavy_majority, 0, minority=0.03)
                else:
                    X, y = cut(X_full, y_full, scenario, seed, args.majority, args.per_class)
                sets, secs, fitted = {}, {}, {}
                for method in METHODS:
                    t0 = time.perf_counter()
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        sets[method] = resample(method, X, y, strategy, seed, fitted, args.sampler_time)
                    secs[method] = time.perf_counter() - t0
                mr = _minirocket(args.minirocket_python, sets, X_te, y_te, seed, args.threads)
                _, counts = np.unique(y, return_counts=True)
                for method, (X_res, y_res) in sets.items():
                    fcn = FCNClassifier(max_time=args.fcn_time, random_state=seed)
                    fcn.fit(X_res, y_res)
                    row = dict(
                        dataset=dataset,
                        scenario=scenario,
                        seed=seed,
                        method=method,
                        n_train=len(X),
                        class_counts="/".join(map(str, counts)),
                        n_added=len(X_res) - len(X),
                        resample_s=round(secs[method], 1),
                        fcn=round(float(balanced_accuracy_score(y_te, fcn.predict(X_te))), 4),
                        minirocket=round(mr[method], 4) if method in mr else "",
                        fcn_time=args.fcn_time,
                        sampler_time=args.sampler_time,
                        cpu=cpu_name(),
                        threads=args.threads,
                        version=__version__,
                    )
                    append_row(CSV, row)
                    print(row, flush=True)


def summary() -> str:
    import pandas as pd

    df = pd.DataFrame(read_rows(CSV))
    for c in CLASSIFIERS:
        df[c] = pd.to_numeric(df[c], errors="coerce")
    text = (
        "Balanced test accuracy of classifiers trained on a cut training set alone (`none`) and topped "
        "up by each method; mean ± standard deviation over seeds. Setup and command: "
        "`benchmarks/augmentation.py` (its docstring).\n"
    )
    for scenario, part in df.groupby("scenario", sort=False):
        for clf in CLASSIFIERS:
            if part[clf].isna().all():
                continue
            g = part.groupby(["dataset", "method"])[clf]
            mean, std = g.mean().unstack(), g.std().unstack()
            mean, std = mean[[m for m in METHODS if m in mean]], std[[m for m in METHODS if m in std]]
            counts = part.groupby("dataset")["class_counts"].first()
            rows = []
            for ds in mean.index:
                best = mean.loc[ds].max()
                cells = {"dataset": ds, "train counts": counts[ds]}
                for m in mean.columns:
                    v = f"{mean.loc[ds, m]:.3f} ± {0 if pd.isna(std.loc[ds, m]) else std.loc[ds, m]:.3f}"
                    cells[m] = f"**{v}**" if mean.loc[ds, m] == best else v
                rows.append(cells)
            rows.append({"dataset": "**mean**", **{m: f"{mean[m].mean():.3f}" for m in mean.columns}})
            wins = {
                rival: int((mean["maskgit"] > mean[rival]).sum())
                for rival in ("ros", "smote", "none")
                if rival in mean
            }
            text += f"\n### {scenario}, {clf}\n\n" + markdown_table(
                rows, ["dataset", "train counts", *mean.columns]
            )
            text += (
                "\n`maskgit` above "
                + ", ".join(f"`{r}` on {w} of {len(mean)} datasets" for r, w in wins.items())
                + ".\n"
            )
    (RESULTS / "augmentation.md").write_text(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-home", default=None)
    parser.add_argument("--datasets", default="SonyAIBORobotSurface1")
    parser.add_argument("--scenarios", default="imbalanced")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--majority", type=int, default=100)
    parser.add_argument("--heavy-majority", type=int, default=300)
    parser.add_argument("--per-class", type=int, default=8)
    parser.add_argument("--fcn-time", type=float, default=15.0, help="FCN training budget, seconds")
    parser.add_argument(
        "--sampler-time", type=float, default=60.0, help="the prior's training budget, seconds"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--minirocket-python", default=None, help="an interpreter with aeon installed")
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if not args.summary:
        run(args)
    print(summary())


if __name__ == "__main__":
    main()
