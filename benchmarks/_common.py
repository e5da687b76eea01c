"""Helpers shared by the benchmark scripts: result files written row by row, Markdown tables."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def append_row(path: Path, row: dict) -> None:
    """Append one row to a CSV (header written on creation); the whole file is replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = read_rows(path)
    rows.append({k: row.get(k, "") for k in row})
    fields = list(dict.fromkeys(k for r in rows for k in r))
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_rows(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def markdown_table(rows: list[dict], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines) + "\n"
