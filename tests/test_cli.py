import subprocess
import sys

import joblib
import pytest

from skncvq.cli import main


def test_help_lists_commands():
    result = subprocess.run([sys.executable, "-m", "skncvq", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert "demo" in result.stdout and "fit" in result.stdout


def test_demo_prints_both_tables_and_writes_report_and_figure(tmp_path, capsys):
    assert main(["demo", "--epochs", "2", "--out", str(tmp_path / "demo")]) == 0
    out = capsys.readouterr().out
    assert "naive VQ-VAE" in out and "NC-VQVAE (default)" in out
    for column in ("recon MSE (time)", "KNN acc", "SVM acc", "fit s", "FID uncond", "IS", "CAS"):
        assert column in out
    report = (tmp_path / "demo" / "report.md").read_text()
    assert "## Stage 2" in report and "| NC-VQVAE (default) |" in report
    assert "real_vs_synthetic.png" in report
    png = (tmp_path / "demo" / "real_vs_synthetic.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    assert sorted(p.name for p in (tmp_path / "demo").iterdir()) == ["real_vs_synthetic.png", "report.md"]


def test_fit_on_trace_saves_a_model(tmp_path, capsys):
    path = tmp_path / "tok.joblib"
    assert main(["fit", "Trace", "--epochs", "1", "--ssl", "none", "--save", str(path)]) == 0
    assert joblib.load(path).n_features_in_ == 275
    assert "SVM acc" in capsys.readouterr().out


def test_fit_missing_dataset_fails_with_one_line_and_status_2(tmp_path, monkeypatch, capsys):
    from skncvq import datasets

    monkeypatch.setattr(
        datasets, "_download", lambda name, home, timeout: (_ for _ in ()).throw(ConnectionError("offline"))
    )
    assert main(["fit", "NoSuchSet", "--data-home", str(tmp_path), "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skncvq fit: error: UCR dataset 'NoSuchSet' not found") and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    with pytest.raises(FileNotFoundError):  # --debug shows the real exception
        main(["--debug", "fit", "NoSuchSet", "--data-home", str(tmp_path), "--epochs", "1"])


def test_save_into_a_missing_folder_fails_before_fitting(tmp_path, monkeypatch, capsys):
    from skncvq import NCVQVAETransformer

    monkeypatch.setattr(
        NCVQVAETransformer, "fit", lambda *a, **k: pytest.fail("fitted before checking --save")
    )
    assert main(["fit", "Trace", "--save", str(tmp_path / "no" / "tok.safetensors")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["fit", "Trace", "--save", str(tmp_path / "tok.txt")]) == 2
    assert ".safetensors" in capsys.readouterr().err


def test_a_subprocess_error_is_one_line_with_status_2(tmp_path):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "skncvq",
            "sample",
            str(tmp_path / "none.safetensors"),
            "--n",
            "3",
            "--out",
            str(tmp_path / "x.csv"),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == f"skncvq sample: error: no model file at {tmp_path / 'none.safetensors'}."


@pytest.fixture(scope="module")
def trace_sampler(tmp_path_factory):
    """A sampler fitted on Trace by ``skncvq fit --sampler --save`` (read-only: copy before editing),
    and what the command printed."""
    import contextlib
    import io

    model = tmp_path_factory.mktemp("trace") / "sampler.safetensors"
    argv = ["fit", "Trace", "--epochs", "1", "--ssl", "none", "--sampler", "--prior-epochs", "2"]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        assert main([*argv, "--save", str(model)]) == 0
    return model, printed.getvalue()


def test_fit_a_sampler_then_sample_and_evaluate_from_the_saved_file(trace_sampler, tmp_path, capsys):
    import numpy as np

    model, printed = trace_sampler
    assert "held-out log-likelihood" in printed
    assert main(["sample", str(model), "--n", "5", "--label", "3", "--out", str(tmp_path / "x.csv")]) == 0
    X = np.loadtxt(tmp_path / "x.csv", delimiter=",")
    assert X.shape == (5, 275) and np.isfinite(X).all()
    assert main(["sample", str(model), "--n", "4", "--out", str(tmp_path / "x.npy")]) == 0
    assert np.load(tmp_path / "x.npy").shape == (4, 275)
    assert main(["sample", str(model), "--n", "4", "--label", "9", "--out", str(tmp_path / "y.npy")]) == 2
    assert "--label '9' is not one of the model's classes ['1', '2', '3', '4']" in capsys.readouterr().err
    assert main(["evaluate", str(model), "Trace", "--evaluator-time", "2"]) == 0
    out = capsys.readouterr().out
    for column in ("SVM acc", "recon MSE (time)", "FID uncond", "IS", "CAS"):
        assert column in out


def test_a_truncated_joblib_model_is_a_clear_error(tmp_path, capsys):
    path = tmp_path / "tok.joblib"
    assert main(["fit", "Trace", "--epochs", "1", "--ssl", "none", "--save", str(path)]) == 0
    path.write_bytes(path.read_bytes()[:200])
    assert main(["evaluate", str(path), "Trace"]) == 2
    assert "not a readable model file (truncated or damaged?)" in capsys.readouterr().err


def _no_fit(monkeypatch):
    from skncvq import MaskGITSampler, NCVQVAETransformer

    for cls in (NCVQVAETransformer, MaskGITSampler):
        monkeypatch.setattr(cls, "fit", lambda *a, **k: pytest.fail("fitted before checking the command"))


def _one_line(capsys, expected: str) -> None:
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert expected in err, err


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["fit", "Trace", "--sampler", "--prior-epochs", "0"], "must be greater than 0"),
        (["fit", "Trace", "--epochs", "-3"], "must be greater than 0"),
        (["sample", "m.safetensors", "--n", "0", "--out", "x.npy"], "must be greater than 0"),
    ],
)
def test_bad_numbers_are_refused_before_any_work(argv, expected, monkeypatch, capsys):
    _no_fit(monkeypatch)
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err  # argparse's usage line, then the error
    assert "Traceback" not in err and expected in err.strip().splitlines()[-1]


def test_unwritable_outputs_are_refused_before_fitting(tmp_path, monkeypatch, capsys):
    import tempfile

    _no_fit(monkeypatch)
    (tmp_path / "model.safetensors").mkdir()
    assert main(["fit", "Trace", "--save", str(tmp_path / "model.safetensors")]) == 2
    _one_line(capsys, "is a folder")
    (tmp_path / "file").write_text("")
    assert main(["fit", "Trace", "--save", str(tmp_path / "file" / "tok.safetensors")]) == 2
    _one_line(capsys, "does not exist")

    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "TemporaryFile", denied)  # as in a folder of another user's
    assert main(["fit", "Trace", "--save", str(tmp_path / "tok.safetensors")]) == 2
    _one_line(capsys, "cannot write in")


def test_output_errors_after_the_work_are_one_line(tmp_path, monkeypatch, capsys):
    from skncvq import _io

    (tmp_path / "out.npy").mkdir()
    assert (
        main(["sample", str(tmp_path / "m.safetensors"), "--n", "2", "--out", str(tmp_path / "out.npy")]) == 2
    )
    _one_line(capsys, "is a folder")

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_io.tempfile, "mkstemp", full)
    assert (
        main(["fit", "Trace", "--epochs", "1", "--ssl", "none", "--save", str(tmp_path / "t.safetensors")])
        == 2
    )
    _one_line(capsys, "No space left on device")


def test_sampling_from_a_file_whose_weights_do_not_fit_is_one_line(trace_sampler, tmp_path, capsys):
    import shutil

    from safetensors import safe_open
    from safetensors.torch import save_file

    from skncvq import persistence

    model = shutil.copy(trace_sampler[0], tmp_path / "s.safetensors")
    capsys.readouterr()
    with safe_open(str(model), framework="pt") as fh:
        meta, weights = fh.metadata(), {k: fh.get_tensor(k) for k in fh.keys()}
    weights = {k: (v[:1].contiguous() if "module_." in k and v.ndim else v) for k, v in weights.items()}
    meta["sha256"] = persistence._checksum(meta["model"], weights)
    save_file(weights, str(model), metadata=meta)
    assert main(["sample", str(model), "--n", "2", "--out", str(tmp_path / "x.npy")]) == 2
    _one_line(capsys, "do not fit")


def test_fit_sample_and_evaluate_on_a_users_multivariate_npz(tmp_path, capsys):
    import numpy as np

    from skncvq.datasets import make_synthetic

    X, y = make_synthetic(60, 64, 2, random_state=0)
    np.savez(tmp_path / "mine.npz", X=np.stack([X, -X], axis=1), y=y)  # 2 channels
    model = tmp_path / "s.safetensors"
    argv = ["fit", str(tmp_path / "mine.npz"), "--epochs", "1", "--ssl", "none", "--sampler"]
    assert main([*argv, "--prior-epochs", "1", "--save", str(model)]) == 0
    assert main(["sample", str(model), "--n", "3", "--label", "1", "--out", str(tmp_path / "x.npz")]) == 0
    with np.load(tmp_path / "x.npz") as out:
        assert out["X"].shape == (3, 2, 64) and (out["y"] == 1).all()
    capsys.readouterr()
    assert main(["sample", str(model), "--n", "3", "--out", str(tmp_path / "x.csv")]) == 2
    _one_line(capsys, "write .npy or .npz")
    assert main(["evaluate", str(model), str(tmp_path / "mine.npz"), "--evaluator-time", "2"]) == 0
    assert "CAS" in capsys.readouterr().out


def test_fit_on_a_users_csv_with_a_label_column(tmp_path, capsys):
    import pandas as pd

    from skncvq.datasets import make_synthetic

    X, y = make_synthetic(40, 48, 2, random_state=0)
    frame = pd.DataFrame(X, columns=[f"t{i}" for i in range(48)]).assign(cls=y)
    frame.to_csv(tmp_path / "mine.csv", index=False)
    assert main(["fit", str(tmp_path / "mine.csv"), "--epochs", "1", "--ssl", "none"]) == 2
    _one_line(capsys, "no column 'label'")
    assert (
        main(["fit", str(tmp_path / "mine.csv"), "--label-column", "cls", "--epochs", "1", "--ssl", "none"])
        == 0
    )
    assert "SVM acc" in capsys.readouterr().out
    assert main(["fit", str(tmp_path / "absent.npz"), "--epochs", "1"]) == 2
    _one_line(capsys, "no data file at")


def _write_ts(path, X, y) -> None:
    """A UEA-style .ts file of series (each (n_channels, length_i)) and labels."""
    lines = [
        "@problemName mine",
        "@timeStamps false",
        "@missing false",
        "@univariate " + ("true" if X[0].shape[0] == 1 else "false"),
        f"@dimensions {X[0].shape[0]}",
        "@equalLength false",
        "@classLabel true " + " ".join(sorted({str(v) for v in y})),
        "@data",
    ]
    for x, label in zip(X, y):
        lines.append(":".join(",".join(f"{v:.6g}" for v in channel) for channel in x) + f":{label}")
    path.write_text("\n".join(lines) + "\n")


def test_a_ragged_ts_file_fits_samples_and_evaluates(tmp_path, capsys):
    import numpy as np

    pytest.importorskip("sktime")
    from skncvq.datasets import load_file

    rng = np.random.default_rng(0)
    y = np.arange(40) % 2
    X = [np.stack([np.sin(np.linspace(0, 6 + 6 * c, n)), np.cos(np.linspace(0, 6, n))]) for c, n in
         zip(y, rng.integers(30, 60, 40))]  # fmt: skip
    _write_ts(tmp_path / "mine.ts", X, y)
    X_train, y_train, X_test, y_test = load_file(tmp_path / "mine.ts")
    assert isinstance(X_train, list) and len(X_train) + len(X_test) == 40 and X_train[0].shape[0] == 2
    model = tmp_path / "s.safetensors"
    argv = ["fit", str(tmp_path / "mine.ts"), "--epochs", "1", "--ssl", "none", "--sampler"]
    assert main([*argv, "--prior-epochs", "1", "--save", str(model)]) == 0
    assert main(["sample", str(model), "--n", "5", "--label", "1", "--out", str(tmp_path / "x.npz")]) == 0
    with np.load(tmp_path / "x.npz") as out:  # padded with NaN, each series' length beside
        assert out["X"].shape[:2] == (5, 2) and out["lengths"].shape == (5,)
        assert all(
            np.isfinite(x[:, :n]).all() and np.isnan(x[:, n:]).all() for x, n in zip(out["X"], out["lengths"])
        )
        assert set(out["lengths"]) <= {x.shape[1] for x, c in zip(X_train, y_train) if str(c) == "1"}
        np.savez(tmp_path / "again.npz", X=out["X"], lengths=out["lengths"], y=np.r_[0, 1, 0, 1, 0])
    again = load_file(tmp_path / "again.npz", test_size=0.4)[0]
    assert isinstance(again, list) and np.isfinite(np.concatenate([a.ravel() for a in again])).all()
    capsys.readouterr()
    assert main(["sample", str(model), "--n", "2", "--out", str(tmp_path / "x.npy")]) == 2
    _one_line(capsys, "unequal lengths, which a .npy cannot hold")
    assert main(["sample", str(model), "--n", "2", "--length", "33", "--out", str(tmp_path / "x.npy")]) == 0
    assert np.load(tmp_path / "x.npy").shape == (2, 2, 33)
    assert main(["evaluate", str(model), str(tmp_path / "mine.ts"), "--evaluator-time", "2"]) == 0
    assert "CAS" in capsys.readouterr().out


def test_a_ragged_csv_reads_rows_ending_in_empty_cells_as_shorter_series(tmp_path, capsys):

    from skncvq.datasets import load_file

    rows = ["label,t0,t1,t2,t3,t4,t5,t6,t7"]
    rows += [f"{i % 2}," + ",".join(["1"] * (6 + i % 3)) + "," * (2 - i % 3) for i in range(20)]
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n")
    X_train, y_train, X_test, _ = load_file(tmp_path / "r.csv")
    assert isinstance(X_train, list) and {x.shape for x in X_train + X_test} == {(6,), (7,), (8,)}


def test_a_ts_file_without_sktime_says_what_to_install(tmp_path, monkeypatch, capsys):
    import sys

    (tmp_path / "mine.ts").write_text("@data\n")
    monkeypatch.setitem(sys.modules, "sktime", None)
    monkeypatch.setitem(sys.modules, "sktime.datasets", None)
    assert main(["fit", str(tmp_path / "mine.ts"), "--epochs", "1"]) == 2
    _one_line(capsys, "pip install 'skncvq[ts]'")
