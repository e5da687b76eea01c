"""Multivariate and unequal-length series: classification, generation, augmentation and cost,
against MiniRocket in the same run, on the datasets that ship inside aeon.

Datasets (aeon's copies, exported by ``_minirocket.py export`` under the aeon interpreter):
BasicMotions (6 channels, length 100, 4 classes), JapaneseVowels (12 channels, lengths 7-29,
9 classes), PickupGestureWiimoteZ (1 channel, lengths 29-361, 10 classes). Each part writes
rows to ``results/multivariate_<part>.csv`` as they finish (resumable):

- ``classify``: ``make_pipeline(NCVQVAETransformer(random_state=seed), head)`` for the heads of
  ``heads.py`` (one tokenizer fit per dataset and seed, timed, shared by the heads), with the
  channels tokenized jointly (the package: one encoder over all channels) and, for several
  channels, channel-independently (one univariate tokenizer over every channel of every series,
  a series' features the concatenation of its channels'), and aeon's MiniRocket on the series
  zero-padded to one length (``_minirocket.py padded``), accuracy and fit seconds;
- ``generate``: ``MaskGITSampler(random_state=seed)`` with its defaults, scored by
  :func:`skncvq.metrics.generative_scores` with an ``FCNClassifier`` evaluator trained on the
  train split (``max_time`` :data:`skncvq.metrics.EVALUATOR_MAX_TIME`); also the evaluator's
  test accuracy and IS of the real test split, the scales CAS and IS are read against;
- ``augment``: an imbalanced cut of the train split (the larger half of the classes keep their
  series, the smaller half 15 % of the largest kept class, at least 4), topped up to the largest
  class by ``fit_resample`` (edits, the default), by ``sample`` (``maskgit_generate``), by
  random oversampling (imbalanced-learn's ``RandomOverSampler`` on series indices: copies, as
  aeon's multivariate ``RandomOverSampler``) and by window warp (``skncvq.augment``) of random
  series of the class; an ``FCNClassifier`` trained on each set, balanced test accuracy;
- ``cost``: seconds of one default tokenizer epoch (with the post-fit encoding passes) on 200
  random series, joint against channel-independent, as channels grow (1, 6, 12, 64 at length
  256) and as length grows (64, 256, 1024 at 6 channels), with the ``max_epochs="auto"``
  epochs each would run.

Usage:
  python benchmarks/multivariate.py --aeon-python AEON_ENV/bin/python --parts classify,generate \
      --seeds 0,1,2 --threads 2
  python benchmarks/multivariate.py --summary
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from _common import RESULTS, append_row, markdown_table, read_rows, run_minirocket
from heads import HEADS, _heads

DATASETS = ["BasicMotions", "JapaneseVowels", "PickupGestureWiimoteZ"]
AUGMENT_DATASETS = ["BasicMotions", "JapaneseVowels"]
PARTS = ["classify", "generate", "augment", "cost"]


def _csv(part: str) -> Path:
    return RESULTS / f"multivariate_{part}.csv"


def export(python: str, name: str, folder: Path) -> Path:
    """The dataset's file, exported once per run by the aeon interpreter."""
    path = folder / f"{name}.npz"
    if not path.exists():
        run_minirocket(python, "export", name, path)
    return path


def load(path: Path):
    """``X_train, y_train, X_test, y_test``: arrays when a split's series have one length, else
    lists of ``(n_channels, length_i)`` arrays."""
    data = np.load(path, allow_pickle=False)
    out = []
    for split in ("train", "test"):
        X, lengths = data[f"X_{split}"], data[f"len_{split}"]
        series = [x[:, :n] for x, n in zip(X, lengths)]
        out += [np.stack(series) if len(set(lengths)) == 1 else series, data[f"y_{split}"]]
    return out


def _channels(X) -> int:
    return X[0].shape[0]


def _per_channel(X) -> list | np.ndarray:
    """Every channel of every series as a univariate series, series-major."""
    if isinstance(X, np.ndarray):
        return X.reshape(-1, X.shape[-1])
    return [ch for x in X for ch in x]


def _done(part: str) -> set:
    return {tuple(r[k] for k in ("dataset", "seed", "method")) for r in read_rows(_csv(part))}


def classify(python: str, path: Path, name: str, seed: int, threads: int) -> None:
    from skncvq import NCVQVAETransformer

    done = _done("classify")
    X_tr, y_tr, X_te, y_te = load(path)
    c = _channels(X_tr)
    ways = ["joint", "channel_independent"] if c > 1 else ["joint"]
    for way in ways:
        if (name, str(seed), way) in done:
            continue
        tok = NCVQVAETransformer(random_state=seed)
        t0 = time.perf_counter()
        if way == "joint":
            F_tr = tok.fit_transform(X_tr, y_tr)
        else:
            F_tr = tok.fit_transform(_per_channel(X_tr), np.repeat(y_tr, c)).reshape(len(y_tr), -1)
        fit_s = time.perf_counter() - t0
        F_te = (
            tok.transform(X_te)
            if way == "joint"
            else tok.transform(_per_channel(X_te)).reshape(len(y_te), -1)
        )
        row = {"dataset": name, "seed": seed, "method": way, "channels": c, "fit_s": round(fit_s, 2)}
        for head, model in _heads().items():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence warnings of the default heads
                row[head] = round(float(np.mean(model.fit(F_tr, y_tr).predict(F_te) == y_te)), 4)
        row["best_head"] = max(row[h] for h in HEADS)
        append_row(_csv("classify"), row)
        print(row, flush=True)
    if (name, str(seed), "minirocket") not in done:
        res = run_minirocket(python, "padded", path, seed, threads)
        row = {"dataset": name, "seed": seed, "method": "minirocket", "channels": c}
        row.update(fit_s=round(res["fit_s"], 2), best_head=round(res["acc"], 4))
        append_row(_csv("classify"), row)
        print(row, flush=True)


def generate(path: Path, name: str, seed: int) -> None:
    from skncvq import FCNClassifier, MaskGITSampler
    from skncvq.metrics import EVALUATOR_MAX_TIME, generative_scores, inception_score, is_splits

    if (name, str(seed), "maskgit") in _done("generate"):
        return
    X_tr, y_tr, X_te, y_te = load(path)
    fcn = FCNClassifier(max_time=EVALUATOR_MAX_TIME, random_state=seed).fit(X_tr, y_tr)
    t0 = time.perf_counter()
    sampler = MaskGITSampler(random_state=seed).fit(X_tr, y_tr)
    fit_s = time.perf_counter() - t0
    scores = generative_scores(
        sampler,
        X_te,
        y_te,
        classifier=fcn,
        y_train=y_tr,
        cas_classifier=FCNClassifier(max_time=EVALUATOR_MAX_TIME, random_state=seed),
        random_state=seed,
    )
    real_is = inception_score(X_te, classifier=fcn, n_splits=is_splits(len(y_te)), random_state=seed)[0]
    real_acc = fcn.score(X_te, y_te)
    row = {"dataset": name, "seed": seed, "method": "maskgit", "channels": _channels(X_tr)}
    row.update(
        fit_s=round(fit_s, 1),
        fid_uncond=round(scores["fid_uncond"], 3),
        fid_cond=round(scores["fid_cond"], 3),
        is_mean=round(scores["is_mean"], 3),
        is_real=round(real_is, 3),
        cas=round(scores["cas"], 4),
        real_acc=round(real_acc, 4),
        cas_over_real=round(scores["cas"] / real_acc, 3),
    )
    append_row(_csv("generate"), row)
    print(row, flush=True)


def _cut(y, seed: int, minority: float = 0.15) -> np.ndarray:
    """Indices of the imbalanced cut (see the module docstring)."""
    rng = np.random.default_rng(seed)
    labels, counts = np.unique(y, return_counts=True)
    order = labels[np.lexsort((labels, -counts))]
    small = set(order[len(labels) - max(1, len(labels) // 2) :].tolist())
    minor = max(4, round(minority * max(n for c, n in zip(labels, counts) if c not in small)))
    keep = {c: (min(minor, n) if c in small else n) for c, n in zip(labels, counts)}
    return np.sort(
        np.concatenate([rng.choice(np.flatnonzero(y == c), keep[c], replace=False) for c in labels])
    )


def _top_up(method: str, X: list, y: np.ndarray, seed: int, fitted: dict):
    """``(X_res, y_res)`` of ``method``, as lists of series, the originals first."""
    import torch
    from imblearn.over_sampling import RandomOverSampler

    from skncvq import MaskGITSampler
    from skncvq.augment import augment

    labels, counts = np.unique(y, return_counts=True)
    need = {c: counts.max() - n for c, n in zip(labels, counts) if n < counts.max()}
    if method == "none":
        return X, y
    if method == "maskgit":
        fitted["sampler"] = MaskGITSampler(random_state=seed)
        X_res, y_res = fitted["sampler"].fit_resample(X, y)
        return list(X_res), y_res
    if method == "maskgit_generate":
        new = [
            (fitted["sampler"].sample(n, y=c, random_state=seed + i), c)
            for i, (c, n) in enumerate(need.items())
        ]
        return X + [s for part, _ in new for s in part], np.concatenate(
            [y, *(np.full(len(p), c) for p, c in new)]
        )
    idx, y_res = RandomOverSampler(random_state=seed).fit_resample(np.arange(len(y))[:, None], y)
    idx = idx[:, 0]
    copies = [X[i] for i in idx[len(y) :]]
    if method == "window_warp":
        g = torch.Generator().manual_seed(seed)
        copies = [
            augment(torch.as_tensor(s, dtype=torch.float32)[None], ("window_warp",), generator=g)[0].numpy()
            for s in copies
        ]
    return X + copies, y_res


def augment_part(path: Path, name: str, seed: int) -> None:
    from sklearn.metrics import balanced_accuracy_score

    from skncvq import FCNClassifier

    done = _done("augment")
    X_tr, y_tr, X_te, y_te = load(path)
    keep = _cut(y_tr, seed)
    X_cut, y_cut = [X_tr[i] for i in keep], y_tr[keep]
    fitted: dict = {}
    for method in ["none", "maskgit", "maskgit_generate", "ros", "window_warp"]:
        if (name, str(seed), method) in done and method != "maskgit":
            continue
        t0 = time.perf_counter()
        X_res, y_res = _top_up(method, X_cut, y_cut, seed, fitted)
        aug_s = time.perf_counter() - t0
        if (name, str(seed), method) in done:
            continue  # maskgit refitted for maskgit_generate's sampler
        fcn = FCNClassifier(max_time=120, random_state=seed).fit(X_res, y_res)
        row = {"dataset": name, "seed": seed, "method": method, "n_train": len(y_res), "n_cut": len(y_cut)}
        row.update(
            aug_s=round(aug_s, 1), bal_acc=round(float(balanced_accuracy_score(y_te, fcn.predict(X_te))), 4)
        )
        append_row(_csv("augment"), row)
        print(row, flush=True)


def cost(seed: int) -> None:
    from skncvq import NCVQVAETransformer
    from skncvq.estimators._tokenizer_sizes import auto_tokenizer_epochs

    done = _done("cost")
    rng = np.random.default_rng(seed)
    NCVQVAETransformer(max_epochs=1).fit(rng.normal(size=(8, 64)))  # warm-up, not timed
    shapes = [(c, 256) for c in (1, 6, 12, 64)] + [(6, 64), (6, 1024)]
    for c, length in shapes:
        X = rng.normal(size=(200, c, length)).astype(np.float32)
        for way in ["joint", "channel_independent"]:
            key = (f"C{c}_L{length}", str(seed), way)
            if key in done or (way == "channel_independent" and c == 1):
                continue
            data = X if way == "joint" else X.reshape(-1, length)
            tok = NCVQVAETransformer(max_epochs=1, random_state=seed)
            t0 = time.perf_counter()
            tok.fit(data)
            epoch_s = time.perf_counter() - t0
            epochs = auto_tokenizer_epochs(len(data), length)  # the max_epochs="auto" rule
            row = {"dataset": key[0], "seed": seed, "method": way, "channels": c, "length": length}
            row.update(
                epoch_s=round(epoch_s, 2), auto_epochs=epochs, est_fit_min=round(epoch_s * epochs / 60, 1)
            )
            append_row(_csv("cost"), row)
            print(row, flush=True)


def _mean(rows, key):
    vals = [float(r[key]) for r in rows if r.get(key) not in (None, "")]
    return float(np.mean(vals)) if vals else float("nan")


def summary() -> str:
    out = ["# Multivariate and unequal-length series", ""]
    rows = read_rows(_csv("classify"))
    if rows:
        out += ["## Classification (test accuracy, mean over seeds; fit seconds)", ""]
        table = []
        for name in DATASETS:
            mine = [r for r in rows if r["dataset"] == name]
            for method in ["joint", "channel_independent", "minirocket"]:
                sel = [r for r in mine if r["method"] == method]
                if sel:
                    entry = {"dataset": name, "method": method, "seeds": len(sel)}
                    entry.update({h: f"{_mean(sel, h):.3f}" for h in [*HEADS, "best_head"] if sel[0].get(h)})
                    entry["fit_s"] = f"{_mean(sel, 'fit_s'):.1f}"
                    table.append(entry)
        cols = ["dataset", "method", "seeds", *HEADS, "best_head", "fit_s"]
        out += [markdown_table([{c: r.get(c, "") for c in cols} for r in table], cols), ""]
    rows = read_rows(_csv("generate"))
    if rows:
        out += ["## Generation (mean over seeds)", ""]
        cols = ["fid_uncond", "fid_cond", "is_mean", "is_real", "cas", "real_acc", "cas_over_real", "fit_s"]
        table = [
            {"dataset": n, "seeds": len(sel), **{c: f"{_mean(sel, c):.3f}" for c in cols}}
            for n in DATASETS
            if (sel := [r for r in rows if r["dataset"] == n])
        ]
        out += [markdown_table(table, ["dataset", "seeds", *cols]), ""]
    rows = read_rows(_csv("augment"))
    if rows:
        out += ["## Augmentation (FCN balanced test accuracy on an imbalanced cut, mean over seeds)", ""]
        methods = ["none", "maskgit", "maskgit_generate", "ros", "window_warp"]
        table = []
        for n in AUGMENT_DATASETS:
            sel = [r for r in rows if r["dataset"] == n]
            if sel:
                seeds = len({r["seed"] for r in sel})
                table.append(
                    {
                        "dataset": n,
                        "seeds": seeds,
                        **{
                            m: f"{_mean([r for r in sel if r['method'] == m], 'bal_acc'):.3f}"
                            for m in methods
                        },
                    }
                )
        out += [markdown_table(table, ["dataset", "seeds", *methods]), ""]
    rows = read_rows(_csv("cost"))
    if rows:
        out += ["## Cost: one default tokenizer epoch on 200 random series (seconds)", ""]
        cols = ["dataset", "method", "channels", "length", "epoch_s", "auto_epochs", "est_fit_min"]
        out += [markdown_table([{c: r[c] for c in cols} for r in rows], cols), ""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aeon-python", default=None, help="an interpreter with aeon installed")
    parser.add_argument("--parts", default=",".join(PARTS))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--summary", action="store_true")
    args = parser.parse_args()
    if not args.summary:
        import torch

        torch.set_num_threads(args.threads)
        parts = args.parts.split(",")
        seeds = [int(s) for s in args.seeds.split(",")]
        names = args.datasets.split(",")
        if set(parts) - {"cost"} and not args.aeon_python:
            sys.exit("--aeon-python is needed to read aeon's datasets")
        with tempfile.TemporaryDirectory() as tmp:
            for seed in seeds:
                if "cost" in parts:
                    cost(seed)
                for name in names:
                    path = None if parts == ["cost"] else export(args.aeon_python, name, Path(tmp))
                    if "classify" in parts:
                        classify(args.aeon_python, path, name, seed, args.threads)
                    if "generate" in parts:
                        generate(path, name, seed)
                    if "augment" in parts and name in AUGMENT_DATASETS:
                        augment_part(path, name, seed)
    text = summary()
    (RESULTS / "multivariate.md").write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
