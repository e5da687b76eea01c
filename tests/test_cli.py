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


def test_fit_missing_dataset_fails_clearly(tmp_path, monkeypatch):
    from skncvq import datasets

    monkeypatch.setattr(
        datasets, "_download", lambda name, home: (_ for _ in ()).throw(ConnectionError("offline"))
    )
    with pytest.raises(FileNotFoundError, match="not found"):
        main(["fit", "NoSuchSet", "--data-home", str(tmp_path), "--epochs", "1"])
