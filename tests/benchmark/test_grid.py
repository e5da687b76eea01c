"""The benchmark grid: rows per cell, resume, atomic output, joblib backends (dask for real)."""

import json
import os
from dataclasses import replace

import joblib
import numpy as np
import pytest
from run_grid import main
from study import (
    Budget,
    CellSettings,
    config_params,
    evaluate,
    evaluator_path,
    fit_evaluator,
    grid,
    read_csv_rows,
    run_benchmark,
    summarize,
)

from skncvq.datasets import make_synthetic

TINY_TOK = dict(hidden_dim=8, codebook_dim=8, n_res_blocks=1, projector_dim=16, codebook_size=8, max_epochs=2)
TINY_PRIOR = dict(hidden_dim=16, n_layers=1, max_epochs=3)
FAST = dict(
    budget=6,
    evaluator_budget=1,
    cas_budget=1,
    tokenizer_params=TINY_TOK,
    sampler_params=TINY_PRIOR,
    verbose=False,
)


def _write_ucr(home, name, seed):
    X, y = make_synthetic(60, 48, 2, random_state=seed)
    folder = home / name
    folder.mkdir(parents=True)
    for split, rows in (("TRAIN", slice(0, 30)), ("TEST", slice(30, 60))):
        data = np.column_stack([y[rows] + 1, X[rows]])
        np.savetxt(folder / f"{name}_{split}.tsv", data, delimiter="\t")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("ucr")
    _write_ucr(root, "SynA", 0)
    _write_ucr(root, "SynB", 1)
    return root


def test_config_names_and_budget_checks():
    assert config_params("naive") == {"ssl": None, "latent_width": 8, "batch_size": 128}
    assert config_params("vibcreg-gauss") == {
        "ssl": "vibcreg",
        "augmentations": "gauss",
        "latent_width": 8,
        "batch_size": 128,
        "ssl_until": 1.0,
        "ssl_view_grad": True,
    }
    assert config_params("default") == {}
    with pytest.raises(ValueError, match="unknown configuration"):
        config_params("simclr-slice")
    with pytest.raises(ValueError, match="positive"):
        Budget(0)
    with pytest.raises(TypeError, match="sequences"):
        run_benchmark("SynA", ["naive"], [0])
    with pytest.raises(ValueError, match=r"in \(0, 1\)"):
        Budget(10, stage1=0.0)


def test_stage1_share_moves_time_between_the_stages():
    from skncvq import FCNClassifier

    X, y = make_synthetic(40, 48, 2, random_state=0)
    fcn = FCNClassifier(max_epochs=1, random_state=0).fit(X[:30], y[:30])
    settings = CellSettings(budget=20, cas_budget=1, tokenizer_params=TINY_TOK, sampler_params=TINY_PRIOR)
    row, sampler = evaluate(
        X[:30], y[:30], X[30:], y[30:], evaluator=fcn, settings=replace(settings, stage1_share=0.3)
    )
    assert row["stage1_share"] == 0.3
    assert sampler.tokenizer_.max_time == pytest.approx(6.0) and sampler.max_time == pytest.approx(13.0)
    row, sampler = evaluate(X[:30], y[:30], X[30:], y[30:], evaluator=fcn, settings=settings)
    default = Budget(20)
    assert row["stage1_share"] == default.stage1
    assert sampler.tokenizer_.max_time == pytest.approx(20 * default.stage1)
    assert sampler.max_time == pytest.approx(20 * default.prior)
    with pytest.raises(ValueError, match="must not exceed 1|in \\(0, 1\\)"):
        evaluate(X[:30], y[:30], X[30:], y[30:], evaluator=fcn, settings=replace(settings, stage1_share=1.2))


def test_grid_writes_one_row_per_cell_and_resumes(home, tmp_path, monkeypatch):
    out = tmp_path / "out"
    rows = run_benchmark(["SynA"], ["naive", "barlowtwins-slice"], [0], data_home=home, out=out, **FAST)
    assert sorted(r["config"] for r in rows) == ["barlowtwins-slice", "naive"]
    row = rows[0]
    for column in (
        "svm_acc",
        "knn_acc",
        "recon_mse_time",
        "fid_uncond",
        "fid_cond",
        "is_mean",
        "is_real_test",
        "cas",
        "s1_fit_s",
        "s2_fit_s",
        "s2_lr",
        "sample_series_per_s",
        "total_s",
    ):
        assert float(row[column]) == float(row[column])  # a number, not NaN
    assert float(row["fid_uncond"]) > 0 and float(row["s1_epochs"]) >= 1
    assert 1 <= float(row["is_real_test"]) <= 2  # 2 classes: the real test split's IS under the evaluator
    assert float(row["cas_budget_s"]) == FAST["cas_budget"]
    assert int(row["fcn_batch_size"]) == 32 and float(row["evaluator_budget_s"]) == FAST["evaluator_budget"]
    assert joblib.load(out / "evaluators" / "SynA__bs32.joblib").batch_size == 32
    (path,) = (out / "models").glob("SynA__naive__seed0__b6__o*.joblib")  # FAST overrides parameters
    saved = joblib.load(path)
    # the row says what the cell ran with: overrides, defaults and the sizes "auto" resolved to
    naive = next(r for r in rows if r["config"] == "naive")
    tok_settings, prior_settings = (json.loads(naive[c]) for c in ("tokenizer_settings", "sampler_settings"))
    assert tok_settings["ssl"] is None and tok_settings["hidden_dim"] == TINY_TOK["hidden_dim"]
    assert tok_settings["config_"]["latent_width"] == saved.tokenizer_.config_.latent_width
    assert prior_settings["guidance_scale"] == saved.guidance_scale
    assert prior_settings["config_"]["hidden_dim"] == TINY_PRIOR["hidden_dim"]
    assert prior_settings["batch_size_"] == saved.batch_size_ and "tokenizer" not in prior_settings
    assert prior_settings["lr_"] == saved.lr_ == float(naive["s2_lr"])
    assert saved.sample(2, y=saved.classes_[0]).shape == (2, 48)
    assert "| SynA | naive {" in (out / "summary.md").read_text()

    def fail(*args, **kwargs):
        raise AssertionError("a finished cell was run again")

    monkeypatch.setattr(grid, "run_cell", fail)
    again = run_benchmark(
        ["SynA"], ["naive", "barlowtwins-slice"], [0], data_home=home, out=out, backend="sequential", **FAST
    )
    assert len(again) == 2


def test_evaluators_are_cached_per_fcn_batch_size(home, tmp_path):
    out = tmp_path / "out"
    first = fit_evaluator("SynA", data_home=home, out=out, max_time=1, batch_size=8)
    assert fit_evaluator("SynA", data_home=home, out=out, max_time=1, batch_size=8).batch_size == 8
    other = fit_evaluator("SynA", data_home=home, out=out, max_time=1, batch_size=16)
    assert (first.batch_size, other.batch_size) == (8, 16)
    assert sorted(p.name for p in (out / "evaluators").iterdir()) == ["SynA__bs16.joblib", "SynA__bs8.joblib"]


def test_interrupted_grid_keeps_finished_rows_and_no_partial_files(home, tmp_path, monkeypatch):
    out = tmp_path / "out"
    real = grid.run_cell
    calls = []

    def flaky(dataset, config, seed, **kw):
        calls.append(config)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(dataset, config, seed, **kw)

    monkeypatch.setattr(grid, "run_cell", flaky)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(
            ["SynA"], ["naive", "vibcreg-warp"], [0], data_home=home, out=out, backend="sequential", **FAST
        )
    assert [r["config"] for r in read_csv_rows(out / "results.csv")] == ["naive"]
    assert not [p for p in out.rglob("*") if ".part" in p.name]


def test_grid_on_a_dask_local_cluster(home, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            rows = run_benchmark(
                ["SynA", "SynB"],
                ["naive"],
                [0],
                data_home=home,
                out=tmp_path,
                backend="dask",
                n_jobs=-1,
                **FAST,
            )
            workers = set(client.run(lambda dask_worker: dask_worker.address))
    assert sorted(r["dataset"] for r in rows) == ["SynA", "SynB"]
    assert len(workers) == 2


def test_summary_puts_reference_means_beside_ours(tmp_path):
    ref = tmp_path / "thesis.csv"
    ref.write_text(
        "dataset,config,s1_svm_acc_mean,s1_knn_acc_mean,s2_fid_mean,s2_is_mean_mean,cas_acc_ema_mean\n"
        "SynA,regular,0.5,0.4,3.0,1.5,0.9\n"
    )
    row = {
        "dataset": "SynA",
        "config": "naive",
        "seed": 0,
        "budget_s": 6.0,
        "svm_acc": 0.75,
        "knn_acc": 0.5,
        "recon_mse_time": 0.1,
        "fid_uncond": 2.0,
        "fid_cond": 1.0,
        "is_mean": 1.2,
        "cas": 0.8,
        "total_s": 9,
    }
    text = summarize([row, {**row, "seed": 1, "svm_acc": 0.25}], reference=ref)
    line = next(x for x in text.splitlines() if x.startswith("| SynA"))
    cells = [c.strip() for c in line.strip("|").split("|")]
    header = [c.strip() for c in text.splitlines()[0].strip("|").split("|")]
    values = dict(zip(header, cells))
    assert (
        values["svm_acc"] == "0.500"
        and values["svm_acc best"] == "0.750"
        and values["svm_acc ref"] == "0.500"
    )
    assert values["fid_uncond ref"] == "3.000" and values["seeds"] == "2"


def _command(home, out) -> list[str]:
    """``python benchmarks/run_grid.py`` on one tiny cell: SynA, naive, seed 0, 6 s budget;
    ``--out`` last."""
    return [
        "--datasets",
        "SynA",
        "--configs",
        "naive",
        "--seeds",
        "0",
        "--budget",
        "6",
        "--evaluator-budget",
        "1",
        "--cas-budget",
        "1",
        "--data-home",
        str(home),
        "--out",
        str(out),
    ]


def test_benchmark_command(home, tmp_path, capsys):
    args = _command(home, tmp_path)
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "1 rows in" in out and "| SynA | naive |" in out
    assert main(args) == 0  # resumes: nothing left to run
    assert "0 cells to run, 1 already" in capsys.readouterr().out
    assert main([*args[:-2], "--out", str(tmp_path), "--scheduler", "tcp://nowhere:1"]) == 2
    assert "--scheduler only applies" in capsys.readouterr().err


def test_a_failing_cell_is_logged_and_retried_not_fatal(home, tmp_path, monkeypatch):
    real = grid.run_cell

    def broken_for_vibcreg(dataset, config, seed, **kw):
        if config == "vibcreg-slice":
            raise RuntimeError("training diverged")
        return real(dataset, config, seed, **kw)

    monkeypatch.setattr(grid, "run_cell", broken_for_vibcreg)
    rows = run_benchmark(
        ["SynA"], ["vibcreg-slice", "naive"], [0], data_home=home, out=tmp_path, backend="sequential", **FAST
    )
    assert [r["config"] for r in rows] == ["naive"]
    errors = read_csv_rows(tmp_path / "errors.csv")
    assert errors[0]["config"] == "vibcreg-slice" and "diverged" in errors[0]["error"]
    monkeypatch.setattr(grid, "run_cell", real)
    rows = run_benchmark(
        ["SynA"], ["vibcreg-slice", "naive"], [0], data_home=home, out=tmp_path, backend="sequential", **FAST
    )
    assert sorted(r["config"] for r in rows) == ["naive", "vibcreg-slice"]


def test_parameter_overrides_are_part_of_the_cell(home, tmp_path, capsys):
    base = [
        *_command(home, tmp_path),
        "--tokenizer-params",
        json.dumps(TINY_TOK),
        "--sampler-params",
        json.dumps(TINY_PRIOR),
    ]
    assert main(base) == 0
    assert main([*base, "--stage1-share", "0.3"]) == 0  # another cell, not a resumed one
    capsys.readouterr()
    rows = read_csv_rows(tmp_path / "results.csv")
    assert len(rows) == 2
    shares = sorted(float(r["stage1_share"]) for r in rows)
    assert shares == [0.3, Budget(6).stage1]
    recorded = [json.loads(r["overrides"]) for r in rows]
    assert all(o["tokenizer"] == TINY_TOK and o["sampler"] == TINY_PRIOR for o in recorded)
    assert [o.get("stage1_share") for o in recorded] == [None, 0.3]
    assert len(list((tmp_path / "models").glob("SynA__naive__seed0__b6__o*.joblib"))) == 2
    assert main([*base, "--stage1-share", "0.3"]) == 0
    assert "0 cells to run, 2 already" in capsys.readouterr().out
    summary = (tmp_path / "summary.md").read_text()
    assert summary.count("| SynA | naive {") == 2
    capsys.readouterr()
    for bad, match in (
        ("[8]", "JSON object"),
        ("{latent_width: 8}", "JSON object"),
        ('{"no_such": 1}', "does not have: no_such"),
        ('{"max_epochs": -3}', "sampler_params: The 'max_epochs' parameter"),  # a value, before any evaluator
    ):
        assert main([*base[:-1], bad]) == 2
        assert match in capsys.readouterr().err
    assert main([*base, "--stage1-share", "1.5"]) == 2
    err = capsys.readouterr().err
    assert "must not exceed 1" in err or "(0, 1)" in err
    with pytest.raises(TypeError, match="dict"):
        run_benchmark(["SynA"], ["naive"], [0], data_home=home, out=tmp_path, budget=6, tokenizer_params=[8])


def test_cpu_name_records_model_cores_and_the_vector_isa_torch_dispatches_to(monkeypatch):
    import torch
    from study import cpu_name

    name = cpu_name()
    isa = torch.backends.cpu.get_cpu_capability()
    assert f" x{os.cpu_count()} {isa}" in name
    # "+bf16" exactly where precision="auto" would train in bfloat16
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: True)
    monkeypatch.setattr(torch.cpu, "_is_avx512_bf16_supported", lambda: True)
    assert cpu_name().endswith(f"x{os.cpu_count()} {isa}+bf16")
    monkeypatch.setattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", lambda: False)
    assert cpu_name().endswith(f"x{os.cpu_count()} {isa}")


def test_a_cached_evaluator_from_another_version_is_fitted_again(home, tmp_path, monkeypatch):
    from study import evaluator_path

    from skncvq.estimators import _pickling

    out = tmp_path / "out"
    monkeypatch.setattr(_pickling, "__version__", "0.1.9")  # as if cached by an older skncvq
    fit_evaluator("SynA", data_home=home, out=out, max_time=1, batch_size=8)
    monkeypatch.undo()
    with pytest.warns(UserWarning, match="refitting the cached evaluator"):
        fcn = fit_evaluator("SynA", data_home=home, out=out, max_time=1, batch_size=8)
    assert fcn.batch_size == 8
    joblib.load(evaluator_path(out, "SynA", 8))  # the cache now holds this version's evaluator


def test_a_second_run_into_the_same_folder_is_refused(home, tmp_path, monkeypatch):
    from study.results import exclusive_folder

    monkeypatch.setattr(grid, "run_cell", lambda *a, **k: pytest.fail("ran a cell beside another run"))
    out = tmp_path / "out"
    with exclusive_folder(out, "benchmark run"):  # as another process's run holds it
        with pytest.raises(ValueError, match="another benchmark run is writing to"):
            run_benchmark(["SynA"], ["naive"], [0], data_home=home, out=out, **FAST)
    assert not (out / "results.csv").exists()
    with exclusive_folder(out):  # and once that run ends, the folder is free again
        pass


def test_interrupted_benchmark_records_and_caches_nothing(tmp_path, monkeypatch):
    home = tmp_path / "ucr" / "SynA"
    home.mkdir(parents=True)
    X, y = make_synthetic(30, 48, 2, random_state=0)
    for split, (Xs, ys) in {"TRAIN": (X[:20], y[:20]), "TEST": (X[20:], y[20:])}.items():
        np.savetxt(home / f"SynA_{split}.tsv", np.column_stack([ys, Xs]), delimiter="\t")
    out = tmp_path / "out"
    from skncvq.training import AutocastClassifierNet

    from ..training.test_interrupt import _interrupt_on_step

    _interrupt_on_step(monkeypatch, AutocastClassifierNet, n=1)
    with pytest.raises(KeyboardInterrupt):
        fit_evaluator("SynA", data_home=tmp_path / "ucr", out=out, max_time=5, batch_size=8)
    assert not evaluator_path(out, "SynA", 8).exists()
    monkeypatch.undo()

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(grid, "run_cell", interrupted)
    monkeypatch.setattr(grid, "fit_evaluator", lambda *a, **k: None)
    with pytest.raises(KeyboardInterrupt):
        run_benchmark(["SynA"], ["naive"], [0], data_home=tmp_path / "ucr", out=out, budget=5, verbose=False)
    assert not (out / "results.csv").exists()
    assert not (out / "errors.csv").exists()


def test_benchmark_out_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "results").write_text("")
    assert main(["--datasets", "X", "--out", str(tmp_path / "results")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1 and "is a file" in err


def test_bad_numbers_are_refused_before_any_work(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--datasets", "X", "--evaluator-budget", "-1"])
    assert exit_.value.code == 2
    assert "must be greater than 0" in capsys.readouterr().err
