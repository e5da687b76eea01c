"""The README's results tables: stage 1 and 2 from the canonical benchmark run, and the
one-liner's heads from ``results/heads.csv`` (heads.py).

Reads ``results/<run>/results.csv`` (``python benchmarks/run_grid.py --configs default``, 600 s per dataset
for both stages), the plain VQ-VAE's reconstruction rows (``results/naive_recon.csv``, from
naive_recon.py), the IS of the real test split under the run's evaluator (the rows' ``is_real_test``, else
``results/fcn.csv`` from ``fcn.py --run RUN``) and the reference numbers (``results/reference.csv``: the thesis' Barlow Twins +
slice configuration and TimeVQVAE's published FID / IS / CAS, extracted from the shared reference
files by ``--reference DIR``). Prints the Markdown table; ``--write`` also replaces the table in
README.md and benchmarks/README.md and writes ``results/report.md``. A test fails when README.md's table differs from what
this script prints; the same for the one-liner table between its own markers.

Usage:
  python benchmarks/report.py --write
  python benchmarks/report.py --reference PATH/reference --write   # refresh results/reference.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
READMES = (RESULTS.parent.parent / "README.md", RESULTS.parent / "README.md")
RUN = "default600_auto"
BEGIN, END = "<!-- results-table: begin (benchmarks/report.py) -->", "<!-- results-table: end -->"
METRICS = ["svm_acc", "recon_ratio", "fid_uncond", "is_mean", "cas"]
HEADS_BEGIN, HEADS_END = "<!-- heads-table: begin (benchmarks/report.py) -->", "<!-- heads-table: end -->"
HEADS = {
    "svc": "`SVC()`",
    "logreg": "`LogisticRegression()`",
    "knn": "`KNeighborsClassifier()`",
    "ridge": "`RidgeClassifierCV()`",
}


def extract_reference(folder: Path) -> pd.DataFrame:
    """Per dataset: the thesis' Barlow Twins + slice means and TimeVQVAE's published numbers."""
    thesis = pd.read_csv(folder / "thesis_results.csv")
    bt = thesis[thesis["config"] == "barlowtwins_slice"].set_index("dataset")
    peers = pd.read_csv(folder / "peer_results.csv")
    tv = peers[peers["method"] == "TimeVQVAE"].pivot(index="dataset", columns="metric", values="value")
    ref = pd.DataFrame(
        {
            "thesis_svm_acc": bt["s1_svm_acc_mean"],
            "thesis_fid_uncond": bt["s2_fid_mean"],
            "thesis_is_mean": bt["s2_is_mean_mean"],
            "thesis_cas": bt["cas_acc_ema_mean"],
            "timevqvae_fid_uncond": tv["FID"].astype(float),
            "timevqvae_is_mean": tv["IS"].astype(float),
            "timevqvae_cas": tv["CAS_pct"].astype(float) / 100,
        }
    )
    return ref.dropna(subset=["thesis_svm_acc"]).round(4)


def _naive_recon(run: pd.DataFrame) -> pd.Series:
    """Mean plain-VQ-VAE reconstruction MSE per dataset: rows of the canonical rows' CPU, else fits
    that ran all their epochs (the time budget did not bind, so the CPU does not matter)."""
    naive = pd.read_csv(RESULTS / "naive_recon.csv")
    out = {}
    for dataset, rows in run.groupby("dataset"):
        mine = naive[naive["dataset"] == dataset]
        same = mine[mine["cpu"].isin(rows["cpu"])]
        done = mine[mine["s1_epochs"] >= 1000]
        pick = same if len(same) else done
        out[dataset] = pick["recon_mse_time"].mean() if len(pick) else float("nan")
    return pd.Series(out)


def _real_test_is(run: str) -> pd.Series:
    """Per dataset: the IS of the real test split under the run's own evaluator, from the rows
    ``fcn.py --run RUN`` wrote (absent datasets give NaN)."""
    fcn = pd.read_csv(RESULTS / "fcn.csv")
    mine = fcn[fcn["budget"].astype(str).str.endswith(f"_{run}")]
    return mine.groupby("dataset")["is_test"].mean()


def table(run: str = RUN) -> pd.DataFrame:
    rows = pd.read_csv(RESULTS / run / "results.csv")
    rows = rows[(rows["config"] == "default") & rows["overrides"].isna()]
    ours = rows.groupby("dataset")[["svm_acc", "recon_mse_time", "fid_uncond", "is_mean", "cas"]].mean()
    ours["recon_ratio"] = ours["recon_mse_time"] / _naive_recon(rows)
    real_is = _real_test_is(run)
    if "is_real_test" in rows:  # cells that scored the real test split themselves
        real_is = rows.groupby("dataset")["is_real_test"].mean().combine_first(real_is)
    ours["is_fraction"] = ours["is_mean"] / real_is
    ref = pd.read_csv(RESULTS / "reference.csv", index_col="dataset")
    t = ours.join(ref, how="left")
    t.loc["**mean**"] = t.mean(numeric_only=True)
    return t


def _f(v: float) -> str:
    return "" if pd.isna(v) else f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"


def markdown(t: pd.DataFrame) -> str:
    head = [
        "dataset",
        "linear probe",
        "thesis",
        "recon / plain VQ-VAE",
        "FID",
        "thesis",
        "TimeVQVAE",
        "IS",
        "IS / real test IS",
        "thesis",
        "TimeVQVAE",
        "CAS",
        "thesis",
        "TimeVQVAE",
    ]
    cols = [
        "svm_acc",
        "thesis_svm_acc",
        "recon_ratio",
        "fid_uncond",
        "thesis_fid_uncond",
        "timevqvae_fid_uncond",
        "is_mean",
        "is_fraction",
        "thesis_is_mean",
        "timevqvae_is_mean",
        "cas",
        "thesis_cas",
        "timevqvae_cas",
    ]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]
    for name, r in t.iterrows():
        cells = [_f(r[c]) + ("x" if c == "recon_ratio" and not pd.isna(r[c]) else "") for c in cols]
        lines.append("| " + " | ".join([str(name), *cells]) + " |")
    return "\n".join(lines) + "\n"


def readme_block(run: str = RUN) -> str:
    """The text between the README's table markers."""
    return markdown(table(run))


def heads_block() -> str:
    """The one-liner's table: each head's mean test accuracy over the datasets of heads.csv."""
    rows = pd.read_csv(RESULTS / "heads.csv")
    per = rows.groupby("dataset").mean(numeric_only=True)
    n = len(per)
    lines = [
        f"| `make_pipeline(NCVQVAETransformer(), head)` | mean accuracy, {n} datasets |",
        "|---|---|",
    ]
    lines += [f"| {label} | {per[key].mean():.3f} |" for key, label in HEADS.items()]
    lines.append(f"| best reference probe on the unprojected features | {per['best_probe'].mean():.3f} |")
    lines.append(f"| MiniRocket + `RidgeClassifierCV` (aeon), same run | {per['minirocket'].mean():.3f} |")
    lines.append(
        f"| the default tokenizer's fit, seconds: mean / longest | {per['fit_s'].mean():.0f} / {per['fit_s'].max():.0f} |"
    )
    return "\n".join(lines) + "\n"


def replace_block(text: str, block: str, begin: str = BEGIN, end: str = END) -> str:
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[:start] + "\n" + block + text[stop:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run", default=RUN)
    parser.add_argument("--reference", type=Path, help="folder with thesis_results.csv and peer_results.csv")
    parser.add_argument("--write", action="store_true", help="update README.md and results/report.md")
    args = parser.parse_args()
    if args.reference:
        extract_reference(args.reference).to_csv(RESULTS / "reference.csv")
    block = readme_block(args.run)
    print(block)
    if args.write:
        for readme in READMES:
            readme.write_text(replace_block(readme.read_text(), block))
        readme = READMES[0]
        readme.write_text(replace_block(readme.read_text(), heads_block(), HEADS_BEGIN, HEADS_END))
        rows = pd.read_csv(RESULTS / args.run / "results.csv")
        cpus = ", ".join(sorted(rows["cpu"].dropna().unique()))
        (RESULTS / "report.md").write_text(
            f"# Canonical run: results/{args.run}\n\nDefault `NCVQVAETransformer()` + `MaskGITSampler()`, "
            f"600 s per dataset for both stages, seeds {sorted(rows['seed'].unique().tolist())}, CPUs: {cpus}.\n\n"
            + block
        )


if __name__ == "__main__":
    main()
