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


def test_fit_a_sampler_then_sample_and_evaluate_from_the_saved_file(tmp_path, capsys):
    import numpy as np

    model = tmp_path / "sampler.safetensors"
    assert (
        main(
            [
                "fit",
                "Trace",
                "--epochs",
                "1",
                "--ssl",
                "none",
                "--sampler",
                "--prior-epochs",
                "2",
                "--save",
                str(model),
            ]
        )
        == 0
    )
    assert "held-out log-likelihood" in capsys.readouterr().out
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
