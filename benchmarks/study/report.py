"""The grid's Markdown summary: per-cell means over seeds and the best seed, beside the thesis'
numbers for the same cells."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["summarize", "markdown_table"]


def markdown_table(rows: Sequence[dict], columns: Sequence[str]) -> str:
    """A Markdown table of ``rows`` (dicts) under ``columns``; a missing value is an empty cell."""
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(r.get(c, "")) for c in columns) + " |" for r in rows]
    return "\n".join(lines) + "\n"


_METRICS = {
    # ours -> (reference column in thesis_results.csv, higher is better)
    "svm_acc": ("s1_svm_acc_mean", True),
    "knn_acc": ("s1_knn_acc_mean", True),
    "recon_mse_time": (None, False),
    "fid_uncond": ("s2_fid_mean", False),
    "fid_cond": (None, False),
    "is_mean": ("s2_is_mean_mean", True),
    "cas": ("cas_acc_ema_mean", True),
}


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"


def summarize(rows: Sequence[dict], *, reference: str | os.PathLike | None = None) -> str:
    """Markdown table of per-cell means over seeds (and the best seed), beside the reference's
    means for the same (dataset, configuration) when ``reference`` (thesis_results.csv) is given."""
    import pandas as pd

    if not rows:
        return "No finished cells yet.\n"
    df = pd.DataFrame(rows)
    for col in [*_METRICS, "total_s"]:
        df[col] = pd.to_numeric(df[col], errors="coerce")
    overrides = df["overrides"].fillna("").astype(str) if "overrides" in df else pd.Series("", index=df.index)
    df["label"] = [f"{c} {o}" if o else c for c, o in zip(df["config"].astype(str), overrides)]
    grouped = df.groupby(["dataset", "label", "budget_s"], sort=True)
    agg = grouped[list(_METRICS) + ["total_s"]].mean()
    agg["seeds"] = grouped.size()
    best = {m: grouped[m].max() if hi else grouped[m].min() for m, (_, hi) in _METRICS.items()}
    ref = None
    if reference is not None and Path(reference).exists():
        ref = pd.read_csv(reference)
        ref["config"] = ref["config"].replace({"regular": "naive"}).str.replace("_", "-")
        ref = ref.set_index(["dataset", "config"])
    header = ["dataset", "config", "budget s", "seeds", "cell s"]
    for m, (ref_col, _) in _METRICS.items():
        header += [m, f"{m} best"] + ([f"{m} ref"] if ref is not None and ref_col else [])
    body = []
    for (dataset, label, budget_s), r in agg.iterrows():
        cells = [dataset, label, f"{float(budget_s):g}", str(int(r["seeds"])), f"{r['total_s']:.0f}"]
        for m, (ref_col, _) in _METRICS.items():
            cells += [_fmt(r[m]), _fmt(best[m][(dataset, label, budget_s)])]
            if ref is not None and ref_col:
                key = (dataset, label)  # the reference's cells have no overrides
                cells.append(_fmt(float(ref.loc[key, ref_col])) if key in ref.index else "")
        body.append(dict(zip(header, cells)))
    note = (
        "\nMeans over seeds, best seed beside them; `ref`: the thesis' mean over its runs "
        "(1000 GPU epochs per stage; its CAS is an EMA of batch accuracies, its FID/IS use "
        "unconditional samples, as `fid_uncond`/`is_mean` here).\n"
    )
    return markdown_table(body, header) + note
