"""The issue-5 verdicts from measured rows: the default configuration under a short budget against
the seed study and TimeVQVAE, and the seed's four claims re-measured on our grid.

Usage:
  python benchmarks/claims.py --grid grid --default default480 \
      --reference PATH/thesis_results.csv --peers PATH/peer_results.csv
Reads benchmarks/results/<grid>/results.csv and benchmarks/results/<default>/results.csv and
writes benchmarks/results/claims.md. ``--fill RUNS`` takes the datasets the default run lacks
from other runs (a rerun of only the datasets a change of default affects); the table then names each
dataset's run. Nothing is tuned here: every number is a mean over the
seeds measured (test splits), the thesis numbers are its means over 4 seeds at 1000 epochs.
"""

from __future__ import annotations

import argparse
import json

import pandas as pd
from _common import RESULTS, markdown_table, plain_run_rows, rescored_rows, runs_by_dataset

from skncvq._io import read_csv_rows, write_text_atomic

NUM = [
    "svm_acc",
    "knn_acc",
    "recon_mse_time",
    "fid_uncond",
    "fid_cond",
    "is_mean",
    "cas",
    "total_s",
    "s1_epochs",
]


def _load(name: str, fill: str | None = None) -> pd.DataFrame:
    """A run's rows of the plain configurations (cells run with parameter overrides are left out),
    with the datasets it lacks taken from the ``fill`` runs (see ``plain_run_rows``)."""
    return plain_run_rows(name, NUM, fill=fill)


def _thesis(path: str) -> pd.DataFrame:
    ref = pd.read_csv(path)
    ref["config"] = ref["config"].replace({"regular": "naive"}).str.replace("_", "-")
    return ref


def _timevqvae(path: str) -> dict[str, pd.Series]:
    p = pd.read_csv(path)
    tv = p[p["method"] == "TimeVQVAE"]
    scale = {"FID": 1.0, "IS": 1.0, "CAS_pct": 0.01}
    return {
        m: tv[tv["metric"] == m].set_index("dataset")["value"].astype(float) * s for m, s in scale.items()
    }


def _fmt(v) -> str:
    if isinstance(v, float):
        return "" if pd.isna(v) else (f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}")
    return str(v)


def default_table(default: pd.DataFrame, ref: pd.DataFrame, tv: dict) -> tuple[str, dict]:
    ours = default.groupby("dataset")[NUM].mean()
    seeds = default.groupby("dataset").size()
    runs = runs_by_dataset(default)
    rows = []
    for d, r in ours.iterrows():
        t = ref[ref["dataset"] == d].set_index("config")
        bts = t.loc["barlowtwins-slice"]
        rows.append(
            {
                "dataset": d,
                **({"run": runs[d]} if runs is not None else {}),
                "seeds": int(seeds[d]),
                "svm": r["svm_acc"],
                "thesis oracle svm": t["s1_svm_acc_mean"].max(),
                "thesis BT-slice svm": bts["s1_svm_acc_mean"],
                "FID": r["fid_uncond"],
                "thesis BT-slice FID": bts["s2_fid_mean"],
                "TimeVQVAE FID": tv["FID"].get(d, float("nan")),
                "IS": r["is_mean"],
                "thesis BT-slice IS": bts["s2_is_mean_mean"],
                "TimeVQVAE IS": tv["IS"].get(d, float("nan")),
                "CAS": r["cas"],
                "thesis BT-slice CAS": bts["cas_acc_ema_mean"],
                "TimeVQVAE CAS": tv["CAS_pct"].get(d, float("nan")),
                "wall s (both stages + evaluation)": r["total_s"],
            }
        )
    df = pd.DataFrame(rows)
    mean = df.drop(columns=["dataset", "run"], errors="ignore").mean(numeric_only=True)
    counts = {
        "n": len(df),
        "svm_ge_oracle": int((df["svm"] >= df["thesis oracle svm"]).sum()),
        "svm_gt_bts": int((df["svm"] > df["thesis BT-slice svm"]).sum()),
        "fid_le_bts": int((df["FID"] <= df["thesis BT-slice FID"]).sum()),
        "is_ge_bts": int((df["IS"] >= df["thesis BT-slice IS"]).sum()),
        "cas_ge_bts": int((df["CAS"] >= df["thesis BT-slice CAS"]).sum()),
        "mean": mean,
    }
    mean_row = {"dataset": "**mean**", **mean.drop("seeds").to_dict()}
    df = pd.concat([df, pd.DataFrame([mean_row])], ignore_index=True)
    df["seeds"] = df["seeds"].map(lambda v: "" if pd.isna(v) else int(v))
    records = [{k: _fmt(v) for k, v in row.items()} for row in df.to_dict("records")]
    return markdown_table(records, list(df.columns)), counts


def _rescored_by_run(default: pd.DataFrame, variant: str) -> pd.DataFrame:
    """The re-scored rows (``rescored_rows``) of each dataset from the run its default rows come
    from, so datasets filled in from another run (``--fill``) take that run's re-scores."""
    parts = []
    for run in dict.fromkeys(default["run"]):
        res = rescored_rows(run, variant, missing_ok=True)
        datasets = set(default.loc[default["run"] == run, "dataset"])
        parts.append(res[res.index.get_level_values("dataset").isin(datasets)])
    res = pd.concat(parts)
    if res.empty:
        runs = ", ".join(dict.fromkeys(default["run"]))
        raise SystemExit(f"no rows of variant(s) {variant!r} in rescored.csv of run(s) {runs}")
    return res


def rescored_section(default: pd.DataFrame, ref, tv, variant: str) -> tuple[list[str], pd.DataFrame]:
    """The default table again, with FID / IS / CAS of the saved models re-scored by rescore.py;
    returns the section's lines and the rows with the re-scored values. ``variant`` may name
    several, comma-separated: a cell takes its row from the last variant that has one (a later
    variant re-scores only the datasets a change of default touches). Each dataset's re-scores
    come from the run its rows come from (``--fill``); rows the variant did not re-score keep
    their own scores, and the section says whether they already ran with its settings."""
    key = ["dataset", "seed"]
    res = _rescored_by_run(default, variant)
    df = default.assign(seed=default["seed"].astype(str)).set_index(key)
    hit = df.index.intersection(res.index)
    columns = ["fid_uncond", "fid_cond", "is_mean", "cas"]
    probes = "svm_acc" in res.columns and res.loc[hit, "svm_acc"].astype(str).ne("").all()
    if probes:
        columns += ["svm_acc", "knn_acc"]
    for c in columns:
        df.loc[hit, c] = pd.to_numeric(res.loc[hit, c])
    # rows not re-scored: those that already ran with this variant's evaluation are not "kept"
    batch = sorted(set(res.get("fcn_batch_size", pd.Series(["256"])).fillna("256").astype(str)))
    ran_batch = df.get("fcn_batch_size", pd.Series("", index=df.index)).fillna("").astype(str)
    # a row ran with the variant's evaluation where its FCN batch is the variant's and, for a
    # variant that changes the sampler, where its recorded sampler settings (rows of runs before
    # sampler_settings existed have none) hold the variant's parameters
    changed = {k: v for p in res["sampler_params"] for k, v in json.loads(p).items()}
    ran_with = df.get("sampler_settings", pd.Series("", index=df.index)).fillna("").astype(str)

    def same_sampler(settings: str) -> bool:
        recorded = json.loads(settings) if settings else {}
        return all(k in recorded and recorded[k] == v for k, v in changed.items())

    same_recipe = [
        ran_batch.loc[k] in batch and same_sampler(ran_with.loc[k]) for k in df.index.difference(hit)
    ]
    rest = list(zip(df.index.difference(hit), same_recipe))
    kept = [f"{d} seed {s}" for (d, s), ok in rest if not ok]
    same = [f"{d} seed {s}" for (d, s), ok in rest if ok]
    df = df.reset_index()
    table, c = default_table(df, ref, tv)
    refit = int(res.get("s2_fit_s", pd.Series(dtype=str)).fillna("").astype(str).ne("").sum())
    params = sorted(set(res["sampler_params"]))
    by_variant = res.reset_index().groupby("variant", sort=False)["dataset"].unique()
    from_variant = "; ".join(f"{v!r}: {', '.join(sorted(d))}" for v, d in by_variant.items())
    cas_s = sorted(set(res["cas_budget_s"]))
    probe_out = sorted(set(res["probe_output"])) if probes else []
    return [
        f"## Default configuration re-scored: variant {variant!r} (sampler parameters {', '.join(params)}, CAS classifier "
        f"{', '.join(cas_s)} s, FCN batch {', '.join(batch)}"
        + (f", probes on the {', '.join(probe_out)} output" if probes else "")
        + ")",
        "",
        "The same fitted models, their "
        + ("probes and " if probes else "")
        + "FID / IS / CAS measured again on the test split by rescore.py"
        + (
            f" ({refit} of them with the prior fitted again on the saved tokenizer under the "
            "variant's parameters, same seed and budget: `--refit-prior`). "
            if refit
            else ". "
        )
        + (f"Datasets by variant: {from_variant}. " if "," in variant else "")
        + (f"{len(same)} rows ran with these settings already ({', '.join(same)}). " if same else "")
        + (
            f"Rows of {', '.join(kept)} keep the scores they were run with (not re-scored under this variant). "
            if kept
            else ""
        )
        + "The wall-time columns are the run's.",
        "",
        table,
        "",
        *(
            [
                f"- Mean linear-SVM accuracy {c['mean']['svm']:.3f} over {c['n']} datasets vs the seed's "
                f"per-dataset oracle {c['mean']['thesis oracle svm']:.3f} on the same datasets; at or above "
                f"the oracle on {c['svm_ge_oracle']}/{c['n']}, above Barlow Twins + slice on "
                f"{c['svm_gt_bts']}/{c['n']}."
            ]
            if probes
            else []
        ),
        f"- Against the seed's Barlow Twins + slice: FID at least as good on {c['fid_le_bts']}/{c['n']}, "
        f"IS on {c['is_ge_bts']}/{c['n']}, CAS on {c['cas_ge_bts']}/{c['n']}; means FID {c['mean']['FID']:.2f}, "
        f"IS {c['mean']['IS']:.3f} (seed {c['mean']['thesis BT-slice IS']:.3f}, TimeVQVAE {c['mean']['TimeVQVAE IS']:.3f}), "
        f"CAS {c['mean']['CAS']:.3f} (seed {c['mean']['thesis BT-slice CAS']:.3f}, TimeVQVAE "
        f"{c['mean']['TimeVQVAE CAS']:.3f}).",
        "",
    ], df


def real_data_section(scores: pd.DataFrame) -> list[str]:
    """Our IS and FID beside what real series score under an evaluator of the same recipe
    (``fcn.py --run <run>``, each dataset under the run its rows come from): the IS of the real
    test split and the FID between the real train and test splits. Empty when fcn.csv has no rows
    for the runs."""
    path = RESULTS / "fcn.csv"
    real = pd.DataFrame(read_csv_rows(path)) if path.exists() else pd.DataFrame()
    if real.empty or "is_test" not in real:
        return []
    run_of = scores.groupby("dataset")["run"].first()
    real = real[[str(b).endswith(f"_{run_of.get(d, '')}") for d, b in zip(real["dataset"], real["budget"])]]
    if real.empty:
        return []
    name = ", ".join(dict.fromkeys(run_of[run_of.index.isin(real["dataset"])]))
    real = real.drop_duplicates("dataset", keep="last").set_index("dataset")
    ours = scores.groupby("dataset")[["is_mean", "fid_uncond"]].mean()
    rows = []
    for d, r in ours.iterrows():
        if d not in real.index:
            continue
        x = real.loc[d]
        rows.append(
            {
                "dataset": d,
                "evaluator test acc": float(x["test_acc"]),
                "IS real test": float(x["is_test"]),
                "IS samples": r["is_mean"],
                "IS samples / real": r["is_mean"] / float(x["is_test"]),
                "FID real train vs test": float(x["fid_train_vs_test"]),
                "FID samples": r["fid_uncond"],
            }
        )
    if not rows:
        return []
    df = pd.DataFrame(rows)
    mean = df.drop(columns=["dataset"]).mean()
    df = pd.concat([df, pd.DataFrame([{"dataset": "**mean**", **mean.to_dict()}])], ignore_index=True)
    records = [{k: _fmt(v) for k, v in row.items()} for row in df.to_dict("records")]
    return [
        "## Real series under the same evaluator recipe (fcn.py --run " + name + ")",
        "",
        "What real data scores under each run's cached FCN evaluator (`results/<run>/evaluators`, "
        "refitted with the same recipe where the cache was gone; a time-budgeted refit is not the very "
        "fit that scored the rows): IS of the real test split (split as for samples) and the FID between "
        "the real train and test splits (the floor a generator can reach). IS depends on how confident "
        "the evaluator is, so the seed's and TimeVQVAE's IS are on their own evaluators' scales; the "
        "ratio to the real split is the comparable number.",
        "",
        markdown_table(records, list(df.columns)),
        "",
        f"- Samples reach {mean['IS samples / real']:.2f} of the real test split's IS on average "
        f"(min {df['IS samples / real'][:-1].min():.2f}).",
        "",
    ]


def seed_claims(grid: pd.DataFrame, ref: pd.DataFrame) -> tuple[str, list[str]]:
    m = grid.groupby(["dataset", "config"])[NUM].mean().reset_index()
    rows, tally = [], {"probe": [0, 0], "recon": [0, 0], "is": [0, 0], "fid": [0, 0]}
    thesis_tally = {"probe": 0, "recon": 0, "is": 0, "fid": 0}
    for d, g in m.groupby("dataset"):
        g = g.set_index("config")
        if "naive" not in g.index or len(g) < 2:
            continue
        ssl, naive = g.drop(index="naive"), g.loc["naive"]
        t = ref[ref["dataset"] == d].set_index("config")
        t_ssl, t_naive = t.drop(index="naive"), t.loc["naive"]
        verdict = {
            "probe": ssl["svm_acc"].max() > naive["svm_acc"],
            # "on par": the mean SSL reconstruction error within 1.5x of the naive one
            "recon": ssl["recon_mse_time"].mean() <= 1.5 * naive["recon_mse_time"],
            "is": ssl["is_mean"].max() > naive["is_mean"],
            "fid": ssl["fid_uncond"].min() < naive["fid_uncond"],
        }
        thesis = {
            "probe": t_ssl["s1_svm_acc_mean"].max() > t_naive["s1_svm_acc_mean"],
            "recon": t_ssl["s1_val_recon_loss_mean"].mean() <= 1.5 * t_naive["s1_val_recon_loss_mean"],
            "is": t_ssl["s2_is_mean_mean"].max() > t_naive["s2_is_mean_mean"],
            "fid": t_ssl["s2_fid_mean"].min() < t_naive["s2_fid_mean"],
        }
        for k, v in verdict.items():
            tally[k][0] += bool(v)
            tally[k][1] += 1
            thesis_tally[k] += bool(thesis[k])
        rows.append(
            {
                "dataset": d,
                "SSL configs": len(ssl),
                "best SSL svm": _fmt(ssl["svm_acc"].max()),
                "naive svm": _fmt(naive["svm_acc"]),
                "SSL recon / naive": _fmt(ssl["recon_mse_time"].mean() / naive["recon_mse_time"]),
                "best SSL IS": _fmt(ssl["is_mean"].max()),
                "naive IS": _fmt(naive["is_mean"]),
                "best SSL FID": _fmt(ssl["fid_uncond"].min()),
                "naive FID": _fmt(naive["fid_uncond"]),
            }
        )
    n = tally["probe"][1]
    lines = []
    for key, claim, thesis_n in (
        ("probe", "SSL beats naive probes (best SSL linear SVM > naive) on 12/13 datasets", 12),
        ("recon", "reconstruction on par (mean SSL test MSE within 1.5x naive)", None),
        ("is", "IS better with SSL on 12/13 datasets", 12),
        ("fid", "FID better with SSL on 10/13 datasets", 10),
    ):
        ours = tally[key][0]
        if thesis_n is None:
            holds = "holds" if ours == n else ("partly holds" if ours >= n / 2 else "does not hold")
        else:
            holds = "holds" if ours >= round(n * thesis_n / 13) else "does not hold"
        lines.append(
            f"- {claim}: {holds} on our measurement, {ours}/{n} datasets "
            f"(the thesis' own numbers on these {n}: {thesis_tally[key]}/{n})."
        )
    cols = list(rows[0]) if rows else []
    return markdown_table(rows, cols), lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", default="grid")
    parser.add_argument("--default", default="default480")
    parser.add_argument(
        "--fill",
        default=None,
        help="runs, comma-separated, whose rows fill in the datasets the --default run lacks (a rerun "
        "of only the datasets a change of default affects); the table names each dataset's run",
    )
    parser.add_argument("--reference", required=True)
    parser.add_argument("--peers", required=True)
    parser.add_argument(
        "--rescored",
        default=None,
        help="a variant of results/<run>/rescored.csv (rescore.py; each dataset reads the run its rows come "
        "from, --fill included) whose FID / IS / CAS replace the "
        "rows' own in a second table; several, comma-separated, and a cell takes the last that has it",
    )
    args = parser.parse_args()
    ref, tv = _thesis(args.reference), _timevqvae(args.peers)
    default = _load(args.default, args.fill)
    grid = _load(args.grid)
    table, c = default_table(default, ref, tv)
    oracle_all = ref.groupby("dataset")["s1_svm_acc_mean"].max().mean()
    budget = sorted(set(default["budget_s"]))
    text = ["# Issue 5 verdicts", ""]
    scored = default
    if args.rescored:  # the re-scored table first: every row under the current evaluation
        lines, scored = rescored_section(default, ref, tv, args.rescored)
        text += lines
    text += real_data_section(scored)
    text += [
        f"## Default configuration{' as run' if args.rescored else ''}, budget {', '.join(budget)} s "
        "per dataset (both stages)",
        "",
        table,
        "",
        f"- Mean linear-SVM accuracy {c['mean']['svm']:.3f} over {c['n']} datasets vs the seed's "
        f"per-dataset oracle {c['mean']['thesis oracle svm']:.3f} on the same datasets "
        f"({oracle_all:.3f} over its 13); at or above the oracle on {c['svm_ge_oracle']}/{c['n']}, "
        f"above Barlow Twins + slice on {c['svm_gt_bts']}/{c['n']}.",
        f"- Against the seed's Barlow Twins + slice: FID at least as good on {c['fid_le_bts']}/{c['n']}, "
        f"IS on {c['is_ge_bts']}/{c['n']}, CAS on {c['cas_ge_bts']}/{c['n']}. FIDs use our own FCN "
        "evaluator per dataset, so they are not on the thesis' or TimeVQVAE's scale.",
        "",
    ]
    text += [
        "## The seed's claims on our grid (mean over seeds, one budget per cell)",
        "",
    ]
    claims_table, lines = seed_claims(grid, ref)
    text += [claims_table, "", *lines, ""]
    write_text_atomic(RESULTS / "claims.md", "\n".join(text))
    print("\n".join(text))


if __name__ == "__main__":
    main()
