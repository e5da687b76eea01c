import gzip

import numpy as np
import pytest

from skncvq import datasets
from skncvq.datasets import load_trace, load_ucr, make_synthetic


def _write(folder, name, split, X, y, gz=False):
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join("\t".join([str(lab), *map(str, row)]) + "\n" for lab, row in zip(y, X))
    path = folder / f"{name}_{split}.tsv"
    if gz:
        with gzip.open(str(path) + ".gz", "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)


@pytest.mark.parametrize("gz", [False, True])
def test_load_ucr_reads_the_2018_layout(tmp_path, gz):
    X = np.arange(12.0).reshape(3, 4)
    _write(tmp_path / "Toy", "Toy", "TRAIN", X, [1, -1, 1], gz)
    _write(tmp_path / "Toy", "Toy", "TEST", X[:2], [-1, 1], gz)
    X_tr, y_tr, X_te, y_te = load_ucr("Toy", data_home=tmp_path, download=False)
    np.testing.assert_array_equal(X_tr, X)
    assert y_tr.tolist() == [1, -1, 1] and y_tr.dtype.kind == "i"
    assert X_te.shape == (2, 4) and y_te.tolist() == [-1, 1]


def test_load_ucr_uses_environment_variable(tmp_path, monkeypatch):
    _write(tmp_path / "Toy", "Toy", "TRAIN", np.ones((2, 3)), [0, 1])
    _write(tmp_path / "Toy", "Toy", "TEST", np.ones((2, 3)), [0, 1])
    monkeypatch.setenv(datasets.DATA_ENV, str(tmp_path))
    assert load_ucr("Toy", download=False)[0].shape == (2, 3)


def test_load_ucr_offline_error_says_where_to_put_files(tmp_path, monkeypatch):
    def offline(name, home, timeout):
        raise ConnectionError("network unreachable")

    monkeypatch.setattr(datasets, "_download", offline)
    with pytest.raises(FileNotFoundError, match="Download failed: network unreachable") as err:
        load_ucr("FordA", data_home=tmp_path)
    assert str(tmp_path / "FordA" / "FordA_TRAIN.tsv") in str(err.value)
    assert not (tmp_path / "FordA").exists() or not any((tmp_path / "FordA").iterdir())


def test_download_writes_layout_atomically(tmp_path, monkeypatch):
    class FakeLoader:
        def __init__(self, root_dir=None):
            pass

        def load_dataset(self, name):
            X = np.random.default_rng(0).standard_normal((5, 7, 1))
            return X, np.array([1, 2, 1, 2, 1]), X[:3], np.array([2, 1, 2])

    import tslearn.datasets

    monkeypatch.setattr(tslearn.datasets, "UCR_UEA_datasets", FakeLoader)
    X_tr, y_tr, X_te, y_te = load_ucr("Fake", data_home=tmp_path)
    assert X_tr.shape == (5, 7) and y_te.tolist() == [2, 1, 2]
    assert sorted(p.name for p in (tmp_path / "Fake").iterdir()) == ["Fake_TEST.tsv", "Fake_TRAIN.tsv"]


def test_load_ucr_rejects_bad_names(tmp_path):
    with pytest.raises(ValueError, match="UCR dataset name"):
        load_ucr("../etc", data_home=tmp_path)


def test_load_trace():
    X_tr, y_tr, X_te, y_te = load_trace()
    assert X_tr.shape == (100, 275) and X_te.shape == (100, 275)
    assert sorted(set(y_tr)) == [1, 2, 3, 4]


def test_make_synthetic_is_seeded_and_balanced():
    X1, y1 = make_synthetic(30, 50, 3, random_state=1)
    X2, y2 = make_synthetic(30, 50, 3, random_state=1)
    np.testing.assert_array_equal(X1, X2)
    assert np.bincount(y1).tolist() == [10, 10, 10]
    assert not np.array_equal(X1, make_synthetic(30, 50, 3, random_state=2)[0])
    with pytest.raises(ValueError):
        make_synthetic(0)


def test_a_server_that_never_answers_times_out(tmp_path, monkeypatch):
    import socket
    import threading
    import urllib.request

    import tslearn.datasets

    from skncvq.datasets import load_ucr

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()

    def silent_download(self, name):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/{name}.zip").read()  # accepted, never answered

    monkeypatch.setattr(tslearn.datasets.UCR_UEA_datasets, "load_dataset", silent_download)
    try:
        with pytest.raises(FileNotFoundError, match="Download failed: .*timed out"):
            load_ucr("Silent", data_home=tmp_path, timeout=1.0)
    finally:
        server.close()
    assert socket.getdefaulttimeout() is None


@pytest.mark.parametrize(
    "text, match",
    [("1\t0.5\t0.25\n2\t0.5\n", "row 2|line 2"), ("1\t0.5\tabc\n", "abc"), ("1\n2\n", "no values")],
)
def test_a_malformed_file_is_named_with_its_row(tmp_path, text, match):
    from skncvq.datasets import load_ucr

    folder = tmp_path / "Bad"
    folder.mkdir()
    (folder / "Bad_TRAIN.tsv").write_text(text)
    (folder / "Bad_TEST.tsv").write_text("1\t0.5\t0.25\n")
    with pytest.raises(ValueError, match=f"Bad_TRAIN.tsv.*({match})"):
        load_ucr("Bad", data_home=tmp_path, download=False)
