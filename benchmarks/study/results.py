"""The grid's result files: one CSV row per finished cell, appended atomically, so an
interrupted run never leaves a truncated table; atomic file writes; the lock on a run's folder."""

from __future__ import annotations

import contextlib
import csv
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

__all__ = ["append_csv_row", "read_csv_rows", "write_text_atomic", "atomic_path", "exclusive_folder"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds,
    delete it if the block raises."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".part{path.suffix}")
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


@contextlib.contextmanager
def exclusive_folder(folder: str | os.PathLike, what: str = "run") -> Iterator[Path]:
    """Hold an exclusive lock on ``folder`` (created if missing) for the block; a second holder,
    in this process or another, is refused with a ``ValueError`` at once. The lock is the
    operating system's (``flock`` on a ``.lock`` file), so it ends with the process that held it.
    Where ``fcntl`` is missing (Windows) the folder is not locked."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield folder
        return
    with open(folder / ".lock", "a") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(
                f"another {what} is writing to {folder}; wait for it to finish or use another folder."
            ) from None
        try:
            yield folder
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def read_csv_rows(path: str | os.PathLike) -> list[dict]:
    """Rows of a CSV file as dicts of strings; an absent file has none.

    Parameters
    ----------
    path : path-like
        A CSV file with a header line, such as a run's ``results.csv``.

    Returns
    -------
    list of dict
        One dict per row, column name to string value.
    """
    path = Path(path)
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def append_csv_row(path: str | os.PathLike, row: dict) -> None:
    """Append one row to a CSV file, creating it if needed.

    Columns that the file does not have yet extend its header. The file is rewritten through a
    temporary file and renamed into place, so an interrupted write leaves the previous table.

    Parameters
    ----------
    path : path-like
        The CSV file.
    row : dict
        Column name to value.
    """
    rows = read_csv_rows(path)
    rows.append(dict(row))
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with atomic_path(path) as tmp:
        with open(tmp, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields, restval="")
            writer.writeheader()
            writer.writerows(rows)
