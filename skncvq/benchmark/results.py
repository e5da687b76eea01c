"""The grid's result files: one CSV row per finished cell, appended atomically, so an
interrupted run never leaves a truncated table."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from .._io import atomic_path, write_text_atomic

__all__ = ["append_csv_row", "read_csv_rows", "write_text_atomic"]


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
