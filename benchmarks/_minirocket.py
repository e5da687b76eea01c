"""MiniRocket + RidgeClassifierCV (aeon's ``MiniRocketClassifier``), run by ``heads.py`` and
``augmentation.py`` under an interpreter that has aeon (it pins an older numba than the package's
dependencies). Prints one JSON line.

Usage:
  python benchmarks/_minirocket.py ucr DATA_HOME DATASET SEED THREADS
      test accuracy and fit seconds on a UCR dataset's splits;
  python benchmarks/_minirocket.py npz FILE SEED THREADS
      balanced test accuracy of a model fitted on each training set ``X_<name>``, ``y_<name>`` of
      the file, scored on its ``X_test``, ``y_test``;
  python benchmarks/_minirocket.py export NAME FILE
      write one of the datasets that ship inside aeon (BasicMotions, JapaneseVowels,
      PickupGestureWiimoteZ) to FILE: ``X_train`` / ``X_test`` padded with NaN to their longest
      series, ``len_train`` / ``len_test``, ``y_train`` / ``y_test``;
  python benchmarks/_minirocket.py padded FILE SEED THREADS
      test accuracy and fit seconds on such a file, the series zero-padded to one length
      (MiniRocket needs equal lengths) and channels kept.
"""

import json
import sys
import time
from pathlib import Path

import numpy as np


def _split(home: Path, name: str, split: str):
    data = np.loadtxt(home / name / f"{name}_{split}.tsv.gz", delimiter="\t")
    return data[:, 1:], data[:, 0]


def _model(seed: int, threads: int, X, y):
    from aeon.classification.convolution_based import MiniRocketClassifier

    model = MiniRocketClassifier(random_state=seed, n_jobs=threads)
    warm = np.concatenate([np.flatnonzero(y == c)[:2] for c in np.unique(y)])
    model.fit(X[warm, None, :], y[warm])  # numba compiles on the first fit: not timed
    return model


def ucr(home: str, name: str, seed: int, threads: int) -> dict:
    X_tr, y_tr = _split(Path(home), name, "TRAIN")
    X_te, y_te = _split(Path(home), name, "TEST")
    model = _model(seed, threads, X_tr, y_tr)
    t0 = time.perf_counter()
    model.fit(X_tr[:, None, :], y_tr)
    fit_s = time.perf_counter() - t0
    return {"acc": float(np.mean(model.predict(X_te[:, None, :]) == y_te)), "fit_s": fit_s}


def npz(path: str, seed: int, threads: int) -> dict:
    from sklearn.metrics import balanced_accuracy_score

    data = np.load(path, allow_pickle=False)
    X_te, y_te = data["X_test"], data["y_test"]
    out = {}
    for key in data.files:
        if key.startswith("X_") and key != "X_test":
            name = key[2:]
            X, y = data[key], data[f"y_{name}"]
            model = _model(seed, threads, X, y).fit(X[:, None, :], y)
            out[name] = float(balanced_accuracy_score(y_te, model.predict(X_te[:, None, :])))
    return out


def export(name: str, path: str) -> dict:
    from aeon.datasets import load_classification

    out = {}
    for split in ("train", "test"):
        X, y = load_classification(name, split=split)
        series = list(X)  # (n, C, L) array, or a list of (C, L_i) for unequal lengths
        lengths = np.array([s.shape[-1] for s in series])
        padded = np.full((len(series), series[0].shape[0], lengths.max()), np.nan)
        for i, s in enumerate(series):
            padded[i, :, : s.shape[-1]] = s
        out[f"X_{split}"], out[f"len_{split}"], out[f"y_{split}"] = padded, lengths, np.asarray(y)
    np.savez(path, **out)
    return {"n_train": len(out["y_train"]), "channels": int(out["X_train"].shape[1])}


def padded(path: str, seed: int, threads: int) -> dict:
    data = np.load(path, allow_pickle=False)
    longest = max(data["X_train"].shape[2], data["X_test"].shape[2])
    X_tr, X_te = (
        np.nan_to_num(np.pad(data[k], ((0, 0), (0, 0), (0, longest - data[k].shape[2]))))
        for k in ("X_train", "X_test")
    )
    y_tr, y_te = data["y_train"], data["y_test"]
    from aeon.classification.convolution_based import MiniRocketClassifier

    model = MiniRocketClassifier(random_state=seed, n_jobs=threads)
    warm = np.concatenate([np.flatnonzero(y_tr == c)[:2] for c in np.unique(y_tr)])
    model.fit(X_tr[warm], y_tr[warm])  # numba compiles on the first fit: not timed
    t0 = time.perf_counter()
    model.fit(X_tr, y_tr)
    fit_s = time.perf_counter() - t0
    return {"acc": float(np.mean(model.predict(X_te) == y_te)), "fit_s": fit_s}


def main() -> None:
    mode, *args = sys.argv[1:]
    if mode == "ucr":
        res = ucr(args[0], args[1], int(args[2]), int(args[3]))
    elif mode == "export":
        res = export(args[0], args[1])
    elif mode == "padded":
        res = padded(args[0], int(args[1]), int(args[2]))
    else:
        res = npz(args[0], int(args[1]), int(args[2]))
    print(json.dumps(res))


if __name__ == "__main__":
    main()
