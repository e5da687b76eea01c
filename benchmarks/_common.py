"""Helpers shared by the benchmark scripts: result files written row by row, Markdown tables."""

from __future__ import annotations

import re
from pathlib import Path

from skncvq._io import append_csv_row, read_csv_rows

RESULTS = Path(__file__).resolve().parent / "results"
BF16_ISA = "AVX512+bf16"  # the ISA of the machines every row before the ISA was recorded ran on
KEY = ["dataset", "config", "seed"]  # one cell of a benchmark run


def append_row(path: Path, row: dict) -> None:
    """Append one row to a CSV (header grows with new columns); the file is replaced atomically."""
    append_csv_row(path, row)


def add_malloc_option(parser) -> None:
    """``--no-tune-malloc``: keep glibc's malloc thresholds (rows before ``malloc_tuned`` ran so)."""
    parser.add_argument(
        "--no-tune-malloc",
        dest="tune_malloc",
        action="store_false",
        help="keep glibc's malloc thresholds (rows before malloc_tuned existed ran so)",
    )


def tune_malloc_unless_told(args) -> bool:
    """Raise glibc's malloc thresholds as the command line does, unless ``--no-tune-malloc``;
    the value for a row's ``malloc_tuned`` column."""
    from skncvq.allocator import tune_malloc

    return tune_malloc() if args.tune_malloc else False


def fit_and_score(tok, X_fit, y_fit, X_eval, y_eval) -> tuple[float, dict, dict]:
    """Fit a tokenizer on ``X_fit`` (timed) and score it on ``X_eval``: ``(fit seconds,
    reconstruction_errors, probe_scores)``, the probes trained on ``X_fit``'s features."""
    import time

    from skncvq.metrics import probe_scores

    t0 = time.perf_counter()
    tok.fit(X_fit)
    fit_s = time.perf_counter() - t0
    return fit_s, tok.reconstruction_errors(X_eval), probe_scores(tok, X_fit, y_fit, X_eval, y_eval)


def read_rows(path: Path) -> list[dict]:
    return read_csv_rows(path)


def numeric_rows(paths, columns):
    """The rows of one or more result CSVs as a DataFrame, ``columns`` as floats (NaN where a
    row has no value: rows written before a column was added)."""
    import pandas as pd

    paths = [paths] if isinstance(paths, Path) else list(paths)
    rows = pd.DataFrame([r for path in paths for r in read_rows(path)])
    for c in columns:
        rows[c] = rows[c].replace("", None).astype(float) if c in rows else float("nan")
    return rows


def plain_run_rows(run: str, columns: list[str], *, coerce: bool = False, fill: str | None = None):
    """The rows of ``results/<run>/results.csv`` run with the plain configurations (cells run with
    parameter overrides are left out) as a DataFrame, ``columns`` numeric (unparsable values NaN
    with ``coerce``, else an error), and a ``run`` column naming the run each row comes from.

    ``fill`` names further runs, comma-separated, in order: their rows of datasets that the runs
    before them have no rows of are added. Meant for datasets a rerun left out because the
    configuration trains them exactly as before; the ``run`` column keeps that visible. A dataset
    is taken whole from one run, so seeds of two configurations never mix.
    """
    import pandas as pd

    frames, have = [], set()
    for name in [run, *(fill.split(",") if fill else [])]:
        df = pd.DataFrame(read_rows(RESULTS / name / "results.csv"))
        if df.empty:
            raise SystemExit(f"no rows in results/{name}/results.csv")
        if "overrides" in df:
            df = df[df["overrides"].fillna("") == ""]
        df = df[~df["dataset"].isin(have)].assign(run=name)
        have |= set(df["dataset"])
        frames.append(df)
    df = pd.concat(frames, ignore_index=True)
    for c in columns:
        df[c] = pd.to_numeric(df[c], errors="coerce" if coerce else "raise")
    return df


def rescored_rows(run: str, variant: str, *, missing_ok: bool = False):
    """The rows of ``results/<run>/rescored.csv`` (rescore.py) of ``variant``, indexed by
    (dataset, seed as str). ``variant`` may name several, comma-separated: a cell takes its row
    from the last variant that has one (a later variant re-scores only the datasets a change of
    default touches). A variant with no rows is an error, or with ``missing_ok`` contributes
    nothing (an empty frame when none has rows)."""
    import pandas as pd

    path = RESULTS / run / "rescored.csv"
    all_rows = pd.DataFrame(read_rows(path) if path.exists() else [])
    parts = []
    for order, one in enumerate(variant.split(",")):
        rows = all_rows[all_rows["variant"] == one] if len(all_rows) else all_rows
        if rows.empty and not missing_ok:
            raise SystemExit(f"no rows of variant {one!r} in results/{run}/rescored.csv")
        parts.append(rows.assign(order=order))
    res = pd.concat(parts)
    if res.empty:
        return pd.DataFrame(index=pd.MultiIndex.from_tuples([], names=["dataset", "seed"]))
    return (
        res.assign(seed=lambda d: d["seed"].astype(str))
        .sort_values("order")
        .drop_duplicates(["dataset", "seed"], keep="last")
        .set_index(["dataset", "seed"])
    )


def runs_by_dataset(df):
    """Each dataset's source run(s) of rows from ``plain_run_rows`` (``"a + b"`` in order), or
    None when all rows come from one run, so tables add a ``run`` column only after a ``fill``."""
    if df["run"].nunique() < 2:
        return None
    return df.groupby("dataset")["run"].agg(lambda r: " + ".join(dict.fromkeys(r)))


def markdown_table(rows: list[dict], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines) + "\n"


def saved_models(grid: str, *, configs: str | None = None, datasets: str | None = None):
    """``(path, dataset, config, seed, budget)`` of the models a benchmark run saved under
    ``results/<grid>/models``, optionally only the comma-separated ``configs`` / ``datasets``.
    Models of cells run with parameter overrides (a trailing ``__o<hash>``) are left out: their
    parameters are in the run's ``overrides`` column, not in the file name."""
    keep_c = set(configs.split(",")) if configs else None
    keep_d = set(datasets.split(",")) if datasets else None
    for path in sorted((RESULTS / grid / "models").glob("*.joblib")):
        parts = path.stem.split("__")
        if len(parts) != 4:
            continue
        dataset, config, seed, budget = parts
        if (keep_c and config not in keep_c) or (keep_d and dataset not in keep_d):
            continue
        yield path, dataset, config, int(seed.removeprefix("seed")), budget.removeprefix("b")


def run_evaluator(grid: str, dataset: str, args):
    """The FCN evaluator of a benchmark run (``results/<grid>/evaluators``): loaded from that
    cache at ``args.fcn_batch_size``, else fitted on the train split for
    ``args.evaluator_budget`` seconds and cached (``skncvq.benchmark.fit_evaluator``)."""
    from skncvq.benchmark import fit_evaluator

    return fit_evaluator(
        dataset,
        data_home=args.data_home,
        out=RESULTS / grid,
        max_time=args.evaluator_budget,
        batch_size=args.fcn_batch_size,
    )


def validation_split(dataset: str, data_home=None):
    """The stratified 75/25 cut of a UCR train split used for every tuning run (the test split
    is never read): ``X_fit, X_val, y_fit, y_val``."""
    from sklearn.model_selection import train_test_split

    from skncvq.datasets import load_ucr

    X, y, _, _ = load_ucr(dataset, data_home=data_home, download=False)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def validation_scores(sampler, y_fit, X_val, y_val, evaluator, args, **kwargs) -> dict:
    """FID / IS / CAS of a fitted sampler on a validation split, as the tuning scripts score it:
    ``evaluator`` (an FCN fitted on the fit part, labels ``y_fit``) for FID and IS, and a CAS classifier (FCN) of
    ``args.cas_budget`` seconds at batch ``args.fcn_batch_size``, seeded with ``args.seed``.
    ``kwargs`` go to ``skncvq.metrics.generative_scores`` (e.g. ``n_unconditional``)."""
    from skncvq import FCNClassifier
    from skncvq.metrics import generative_scores

    cas = FCNClassifier(
        max_epochs=1000, max_time=args.cas_budget, batch_size=args.fcn_batch_size, random_state=args.seed
    )
    return generative_scores(
        sampler,
        X_val,
        y_val,
        classifier=evaluator,
        y_train=y_fit,
        cas_classifier=cas,
        random_state=args.seed,
        **kwargs,
    )


def _cpu_isa(name: str) -> tuple[list[str], str]:
    """A ``cpu`` column split into the words up to the core count and the ISA recorded after it."""
    words = name.split()
    cores = [i for i, w in enumerate(words) if re.fullmatch(r"x\d+", w)]
    if not cores:
        return words, ""
    return words[: cores[-1] + 1], " ".join(words[cores[-1] + 1 :])


def full_cpu(name: str) -> str:
    """A row's ``cpu`` column with the ISA filled in where it was not yet recorded: rows from
    before that all ran on machines with AVX-512 and native bfloat16 (see :func:`short_cpu`), so
    ``"AMD EPYC x2"`` and ``"AMD EPYC x2 AVX512+bf16"`` name the same kind of machine. Empty stays
    empty."""
    if not name:
        return ""
    words, isa = _cpu_isa(name)
    return " ".join([*words, isa or BF16_ISA])


def short_cpu(name: str) -> str:
    """Short CPU label of a row's ``cpu`` column: its vendor word, plus the vector ISA recorded
    after the core count where that is not AVX-512 with native bfloat16 ("AMD AVX2"); 'not
    recorded' for old rows without a ``cpu``.

    Rows from before the ISA was recorded all ran on 2-core machines with AVX-512 and native
    bfloat16, so they share a label with today's rows from such machines.
    """
    if not name:
        return "not recorded"
    _, isa = _cpu_isa(name)
    vendor = name.split("(")[0].split()[0]
    return vendor if isa in ("", BF16_ISA) else f"{vendor} {isa}"


def token_novelty(sampler, X_train, X_test, *, n_samples: int = 1000, random_state: int = 0) -> dict:
    """How far a fitted sampler's token grids are from the training set's, beside real held-out series.

    A prior that memorises its training grids draws copies of them, which a classifier trained on
    the samples (CAS) and FID against held-out data may well reward. For ``n_samples``
    unconditional samples and for the series of ``X_test`` this returns the mean Hamming distance
    (fraction of tokens) to the nearest training grid, ``novelty_samples`` and ``novelty_test``,
    and ``copies``: the fraction of samples equal to a training grid.
    """
    import numpy as np

    train = sampler.tokenizer_.encode(X_train).reshape(len(X_train), -1)
    grids = {
        "samples": sampler.sample_tokens(n_samples, random_state=random_state).reshape(n_samples, -1),
        "test": sampler.tokenizer_.encode(X_test).reshape(len(X_test), -1),
    }
    out = {}
    chunk = max(1, int(2e7 // train.size))  # about 20 M token comparisons at a time
    for name, g in grids.items():
        nearest = np.concatenate(
            [(g[i : i + chunk, None] != train[None]).mean(-1).min(1) for i in range(0, len(g), chunk)]
        )
        out[f"novelty_{name}"] = float(nearest.mean())
        if name == "samples":
            out["copies"] = float((nearest == 0).mean())
    return out
