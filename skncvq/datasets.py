"""Datasets: UCR archive loader (offline first), the embedded Trace data and synthetic series."""

from __future__ import annotations

import contextlib
import gzip
import os
import socket
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from ._io import atomic_path

__all__ = ["load_ucr", "load_trace", "load_file", "make_synthetic", "DATA_ENV"]

#: Name of the environment variable that sets the folder :func:`load_ucr` reads and downloads
#: UCR datasets into when ``data_home`` is None.
DATA_ENV = "SKNCVQ_DATA"


def _default_home(data_home: str | os.PathLike | None) -> Path | None:
    if data_home is not None:
        return Path(data_home).expanduser()
    env = os.environ.get(DATA_ENV)
    return Path(env).expanduser() if env else None


def _find_split(folder: Path, name: str, split: str) -> Path | None:
    for suffix in (".tsv", ".tsv.gz"):
        path = folder / f"{name}_{split}{suffix}"
        if path.is_file():
            return path
    return None


def _labels(raw: np.ndarray) -> np.ndarray:
    """UCR labels are written as numbers; return integers when they all are integral."""
    if np.all(np.isfinite(raw)) and np.all(raw == np.round(raw)):
        return raw.astype(np.int64)
    return raw


def _read_tsv(path: Path) -> tuple[np.ndarray, np.ndarray]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as fh, warnings.catch_warnings():
            warnings.filterwarnings("ignore", "loadtxt: input contained no data", UserWarning)
            data = np.loadtxt(fh, delimiter="\t", dtype=np.float64, ndmin=2)
    except (ValueError, OSError, EOFError, UnicodeDecodeError) as exc:
        raise ValueError(
            f"cannot read {path}: {exc}. A UCR file holds one series per line: the label, then the "
            "values, tab separated, every line as long as the others."
        ) from exc
    if data.size == 0:
        raise ValueError(f"cannot read {path}: it holds no series (an empty file).")
    if data.shape[1] < 2:
        raise ValueError(f"cannot read {path}: its lines hold a label but no values.")
    return data[:, 1:], _labels(data[:, 0])


def _write_tsv_atomic(path: Path, X: np.ndarray, y: np.ndarray) -> None:
    """Write ``label<TAB>values`` lines through a temporary file renamed into place."""
    with atomic_path(path) as tmp, open(tmp, "w") as fh:
        for label, row in zip(y, X):
            fh.write("\t".join([str(label), *(repr(float(v)) for v in row)]) + "\n")


@contextlib.contextmanager
def _socket_timeout(seconds: float) -> Iterator[None]:
    """tslearn's loader opens its connections without a timeout: give every socket one, so a
    server that accepts and never answers cannot hang the download."""
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(previous)


def _download(name: str, home: Path, timeout: float = 60.0) -> None:
    """Fetch ``name`` through tslearn's UCR/UEA loader and store it in the UCR 2018 layout."""
    from tslearn.datasets import UCR_UEA_datasets

    with tempfile.TemporaryDirectory(dir=home) as cache, warnings.catch_warnings(), _socket_timeout(timeout):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            X_tr, y_tr, X_te, y_te = UCR_UEA_datasets(root_dir=cache).load_dataset(name)
        except OSError as exc:  # URLError, socket timeouts and friends
            raise ConnectionError(f"{type(exc).__name__}: {exc}") from exc
    if X_tr is None:
        raise ConnectionError(f"the archive did not provide {name!r}")
    if X_tr.shape[2] != 1:
        raise ValueError(f"{name!r} is multivariate ({X_tr.shape[2]} channels); skncvq is univariate.")
    folder = home / name
    _write_tsv_atomic(folder / f"{name}_TRAIN.tsv", X_tr[:, :, 0], y_tr)
    _write_tsv_atomic(folder / f"{name}_TEST.tsv", X_te[:, :, 0], y_te)


def load_ucr(
    name: str, *, data_home: str | os.PathLike | None = None, download: bool = True, timeout: float = 60.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load a univariate UCR dataset with its official train/test split.

    Files are read from ``<data_home>/<name>/<name>_TRAIN.tsv`` and ``..._TEST.tsv`` (plain or
    ``.gz``), the layout of the UCR 2018 archive: one series per line, tab separated, label first.
    ``data_home`` defaults to the ``SKNCVQ_DATA`` environment variable. When the files are missing
    and ``download`` is true, the dataset is fetched through tslearn's UCR/UEA loader and written
    there in that layout.

    Parameters
    ----------
    name : str
        Dataset name as in the archive, e.g. ``"FordA"``.
    data_home : str or path-like, optional
        Folder holding one sub-folder per dataset.
    download : bool, default=True
        Try to download missing files.
    timeout : float, default=60
        Seconds a download connection may wait for the server before it is given up.

    Returns
    -------
    X_train : ndarray of shape (n_train, length)
    y_train : ndarray of shape (n_train,)
        Labels as written in the archive (integers when integral).
    X_test : ndarray of shape (n_test, length)
    y_test : ndarray of shape (n_test,)

    Raises
    ------
    FileNotFoundError
        When the files are absent and cannot be downloaded; the message says where to put them.
    ValueError
        When a file is malformed; the message names the file and the row.

    Examples
    --------
    >>> from skncvq.datasets import load_ucr
    >>> X_train, y_train, X_test, y_test = load_ucr("FordA", data_home="ucr")  # doctest: +SKIP
    """
    if not isinstance(name, str) or not name or "/" in name or "\\" in name:
        raise ValueError(f"name must be a UCR dataset name such as 'FordA'; got {name!r}.")
    home = _default_home(data_home)
    where = home if home is not None else Path("~/skncvq_data").expanduser()
    folder = where / name
    paths = [_find_split(folder, name, s) for s in ("TRAIN", "TEST")]
    if None in paths and download:
        try:
            where.mkdir(parents=True, exist_ok=True)
            _download(name, where, timeout)
        except (ConnectionError, OSError) as exc:
            reason = f" Download failed: {exc}."
        else:
            reason = ""
        paths = [_find_split(folder, name, s) for s in ("TRAIN", "TEST")]
    else:
        reason = "" if None not in paths else " Downloading is disabled (download=False)."
    if None in paths:
        raise FileNotFoundError(
            f"UCR dataset {name!r} not found: expected {folder / (name + '_TRAIN.tsv')} and "
            f"{folder / (name + '_TEST.tsv')} (optionally .gz).{reason} Put the archive's files there, "
            f"or pass data_home= / set the {DATA_ENV} environment variable to the folder that holds "
            f"{name}/."
        )
    X_train, y_train = _read_tsv(paths[0])
    X_test, y_test = _read_tsv(paths[1])
    return X_train, y_train, X_test, y_test


def load_trace() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Load the UCR Trace dataset shipped inside tslearn (no network needed).

    Returns
    -------
    X_train, y_train, X_test, y_test : ndarrays
        100 train and 100 test series of length 275, labels 1 to 4.

    Examples
    --------
    >>> from skncvq.datasets import load_trace
    >>> X_train, y_train, X_test, y_test = load_trace()
    >>> X_train.shape, sorted(set(y_train.tolist()))
    ((100, 275), [1, 2, 3, 4])
    """
    from tslearn.datasets import CachedDatasets

    X_tr, y_tr, X_te, y_te = CachedDatasets().load_dataset("Trace")
    return (
        X_tr[:, :, 0].astype(np.float64),
        np.asarray(y_tr),
        X_te[:, :, 0].astype(np.float64),
        np.asarray(y_te),
    )


def _unpad(X: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
    """Series padded to one length, cut back to their own ``lengths``."""
    return [x[..., : int(n)] for x, n in zip(X, lengths)]


def _read_ts(path: Path) -> tuple[list[np.ndarray], np.ndarray]:
    """A UEA/UCR ``.ts`` file through sktime's reader: series (one ``(n_channels, length_i)``
    array each) and labels."""
    try:
        from sktime.datasets import load_from_tsfile
    except ImportError as exc:
        raise ImportError(
            f"reading {path.name} needs sktime's .ts reader: pip install 'skncvq[ts]' (or pip install sktime)."
        ) from exc
    try:
        frame, y = load_from_tsfile(str(path), return_data_type="nested_univ")
    except OSError as exc:  # sktime reports malformed files as IOError
        raise ValueError(f"{path} is not a readable .ts file: {exc}") from exc
    X = []
    for i, row in enumerate(frame.itertuples(index=False)):
        channels = [np.asarray(cell, dtype=np.float64) for cell in row]
        if len({len(c) for c in channels}) > 1:
            raise ValueError(
                f"{path}: series {i} has channels of different lengths ({sorted({len(c) for c in channels})}); "
                "skncvq needs the channels of a series to have one length."
            )
        X.append(np.stack(channels))
    return X, np.asarray(y)


def load_file(
    path: str | os.PathLike, *, label_column: str = "label", test_size: float = 0.2, random_state: int = 0
) -> tuple:
    """Load labelled series from a user's file, split into train and test.

    ``.ts``: the UEA / UCR archive's format, read by sktime's reader (install
    ``skncvq[ts]``); multivariate and unequal-length files included. ``.npz``: arrays ``X``
    (``(n, length)`` or ``(n, n_channels, length)``) and ``y``, optionally ``lengths`` (one per
    series; ``X`` is then padded and each series is cut to its length), and optionally
    ``X_test``, ``y_test`` (and ``lengths_test``) for a split of your own. ``.csv``: one
    univariate series per row, its label in the column ``label_column`` and its values in the
    other (numeric) columns, in order; a row ending in empty cells is a shorter series. Without
    a test split in the file, a stratified ``test_size`` share of the series is held out
    (seeded by ``random_state``).

    Parameters
    ----------
    path : path-like
        A ``.ts``, ``.npz`` or ``.csv`` file.
    label_column : str, default="label"
        The CSV column holding the labels.
    test_size : float in (0, 1), default=0.2
        Share of the series held out when the file has no test split.
    random_state : int, default=0
        Seeds that split.

    Returns
    -------
    X_train, y_train, X_test, y_test
        Series as arrays, or lists of ``(length_i,)`` / ``(n_channels, length_i)`` arrays when
        their lengths differ; labels as arrays.

    Raises
    ------
    FileNotFoundError
        There is no such file.
    ValueError
        The file lacks what is described above, or its suffix is not ``.ts``, ``.npz`` or ``.csv``.
    ImportError
        A ``.ts`` file without sktime installed.
    """
    from sklearn.model_selection import train_test_split

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no data file at {path}.")
    suffix = path.suffix.lower()
    test = None
    if suffix == ".ts":
        X, y = _read_ts(path)
    elif suffix == ".npz":
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in ("X", "y") if k not in data.files]
            if missing:
                raise ValueError(f"{path} holds {sorted(data.files)}; a .npz data file needs arrays X and y.")
            X, y = data["X"], data["y"]
            if "lengths" in data.files:
                X = _unpad(X, data["lengths"])
            if "X_test" in data.files and "y_test" in data.files:
                X_test = data["X_test"]
                if "lengths_test" in data.files:
                    X_test = _unpad(X_test, data["lengths_test"])
                test = X_test, data["y_test"]
    elif suffix == ".csv":
        import pandas as pd

        frame = pd.read_csv(path)
        if label_column not in frame.columns:
            raise ValueError(
                f"{path} has no column {label_column!r} (columns: {list(frame.columns)[:5]}...); name the "
                "label column with --label-column."
            )
        y = frame.pop(label_column).to_numpy()
        X = frame.to_numpy()
        if X.dtype.kind == "f" and np.isnan(X[:, -1]).any():  # rows ending in empty cells
            filled = ~np.isnan(X)
            lengths = X.shape[1] - np.argmax(filled[:, ::-1], axis=1)
            X = _unpad(X, lengths)
    else:
        raise ValueError(
            f"{path}: a data file is a .ts, a .npz (X, y) or a .csv with a label column; got {suffix!r}."
        )
    if test is not None:
        return X, y, test[0], test[1]
    idx_train, idx_test = train_test_split(
        np.arange(len(y)), test_size=test_size, stratify=y, random_state=random_state
    )
    if isinstance(X, list):
        return [X[i] for i in idx_train], y[idx_train], [X[i] for i in idx_test], y[idx_test]
    return X[idx_train], y[idx_train], X[idx_test], y[idx_test]


def make_synthetic(
    n_samples: int = 200,
    length: int = 128,
    n_classes: int = 3,
    *,
    noise: float = 0.1,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Class-structured synthetic series: each class has its own waveform with random phase,
    amplitude and noise.

    Class ``k`` is a sine of frequency ``k + 1`` cycles per series (odd classes add a square
    bump in the second half), so classes differ in shape while every series varies.

    Parameters
    ----------
    n_samples : int, default=200
        Number of series (classes are balanced, in random order).
    length : int, default=128
        Length of each series.
    n_classes : int, default=3
        Number of classes, labelled 0 .. n_classes - 1.
    noise : float, default=0.1
        Standard deviation of the added Gaussian noise.
    random_state : int, RandomState instance or None
        Seed for reproducible output.

    Returns
    -------
    X : ndarray of shape (n_samples, length)
    y : ndarray of shape (n_samples,)

    Examples
    --------
    >>> from skncvq.datasets import make_synthetic
    >>> X, y = make_synthetic(10, 64, 2, random_state=0)
    >>> X.shape, y.shape
    ((10, 64), (10,))
    """
    from sklearn.utils import check_random_state

    if n_samples < 1 or length < 2 or n_classes < 1:
        raise ValueError(
            f"need n_samples >= 1, length >= 2 and n_classes >= 1; got {n_samples}, {length}, {n_classes}."
        )
    rng = check_random_state(random_state)
    y = rng.permutation(np.arange(n_samples) % n_classes)
    t = np.linspace(0, 1, length)[None]  # (1, L)
    freq = (y + 1)[:, None]
    phase = rng.uniform(0, 2 * np.pi, (n_samples, 1))
    amp = rng.uniform(0.8, 1.2, (n_samples, 1))
    X = amp * np.sin(2 * np.pi * freq * t + phase)
    bump = ((t > 0.55) & (t < 0.8)).astype(float)
    X = X + np.where((y % 2 == 1)[:, None], bump, 0.0)
    X = X + noise * rng.standard_normal(X.shape)
    return X, y
