"""Which ``projection`` for the tokenizer's default: each candidate post-processing of the
unprojected "multiscale" features under the one-liner's heads, scored by 5-fold cross-validation
on the train split only (the choice), with the test split beside it (the check).

Candidates: ``none`` (the features as computed), ``standardize``, ``standardize + l2`` (rows to
unit norm), ``standardize + pca`` (95 % of the variance) and ``discriminant`` (standardize, then
the shrinkage LDA axes: ``projection="discriminant"``). Heads: ``SVC()``,
``LogisticRegression()``, ``KNeighborsClassifier()``, ``RidgeClassifierCV()``.

Reads the features ``heads.py --features-dir DIR`` saved; writes ``results/projection_cv.csv``
and ``.md``.

Usage: python benchmarks/projection_cv.py DIR
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
from _common import RESULTS, markdown_table

HEADS = ["svc", "logreg", "knn", "ridge"]


def _candidates() -> dict:
    from sklearn.decomposition import PCA
    from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
    from sklearn.preprocessing import Normalizer, StandardScaler

    return {
        "none": lambda: [],
        "standardize": lambda: [StandardScaler()],
        "standardize + l2": lambda: [StandardScaler(), Normalizer()],
        "standardize + pca": lambda: [StandardScaler(), PCA(0.95)],
        "discriminant": lambda: [
            StandardScaler(),
            LinearDiscriminantAnalysis(solver="eigen", shrinkage="auto"),
        ],
    }


def _heads() -> list:
    from sklearn.linear_model import LogisticRegression, RidgeClassifierCV
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.svm import SVC

    return [SVC(), LogisticRegression(), KNeighborsClassifier(), RidgeClassifierCV()]


def main() -> None:
    import pandas as pd
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    rows = []
    for path in sorted(Path(sys.argv[1]).glob("*.npz")):
        d = np.load(path)
        R_tr, R_te, y_tr, y_te = d["R_tr"], d["R_te"], d["y_tr"], d["y_te"]
        folds = int(min(5, np.unique(y_tr, return_counts=True)[1].min()))
        cv = StratifiedKFold(folds, shuffle=True, random_state=0)
        for name, steps in _candidates().items():
            row = {"features": path.stem, "projection": name}
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                for head, est in zip(HEADS, _heads()):
                    row[f"cv_{head}"] = cross_val_score(
                        make_pipeline(*steps(), est), R_tr, y_tr, cv=cv
                    ).mean()
                    row[f"test_{head}"] = make_pipeline(*steps(), est).fit(R_tr, y_tr).score(R_te, y_te)
            rows.append(row)
            print(row, flush=True)
    df = pd.DataFrame(rows)
    df.round(4).to_csv(RESULTS / "projection_cv.csv", index=False)
    cv_cols, test_cols = [f"cv_{h}" for h in HEADS], [f"test_{h}" for h in HEADS]
    mean = df.groupby("projection", sort=False)[cv_cols + test_cols].mean()
    mean["cv_mean"], mean["test_mean"] = mean[cv_cols].mean(1), mean[test_cols].mean(1)
    out = [{"projection": k, **{c: f"{v:.3f}" for c, v in r.items()}} for k, r in mean.iterrows()]
    text = (
        f"Mean over {df['features'].nunique()} datasets ({', '.join(sorted(df['features'].unique()))}) of each "
        "head's accuracy: `cv_*` 5-fold (fewer where a class has fewer series) cross-validation on the "
        "train split, `test_*` fitted on the train split, scored on the test split. Command: "
        "`python benchmarks/projection_cv.py DIR` on the features of `heads.py --features-dir DIR`.\n\n"
    )
    text += markdown_table(out, ["projection", *mean.columns])
    (RESULTS / "projection_cv.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
