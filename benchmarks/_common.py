"""Helpers shared by the benchmark scripts: result files written row by row, Markdown tables."""

from __future__ import annotations

from pathlib import Path

from skncvq._io import append_csv_row, read_csv_rows

RESULTS = Path(__file__).resolve().parent / "results"


def append_row(path: Path, row: dict) -> None:
    """Append one row to a CSV (header grows with new columns); the file is replaced atomically."""
    append_csv_row(path, row)


def read_rows(path: Path) -> list[dict]:
    return read_csv_rows(path)


def markdown_table(rows: list[dict], columns: list[str]) -> str:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in rows:
        lines.append("| " + " | ".join(str(r.get(c, "")) for c in columns) + " |")
    return "\n".join(lines) + "\n"
