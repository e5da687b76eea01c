"""Helpers shared by the benchmark scripts: result files written row by row, Markdown tables."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from study import append_csv_row, markdown_table, read_csv_rows  # noqa: F401 - markdown_table for the scripts

RESULTS = Path(__file__).resolve().parent / "results"


def append_row(path: Path, row: dict) -> None:
    """Append one row to a CSV (header grows with new columns); the file is replaced atomically."""
    append_csv_row(path, row)


def read_rows(path: Path) -> list[dict]:
    return read_csv_rows(path)


def saved_models(grid: str, *, configs: str | None = None, datasets: str | None = None):
    """``(path, dataset, config, seed, budget)`` of the models a benchmark run saved under
    ``results/<grid>/models``, optionally only the comma-separated ``configs`` / ``datasets``.
    Models of cells run with parameter overrides (a trailing ``__o<hash>``) are left out: their
    parameters are in the run's ``overrides`` column, not in the file name."""
    keep_c = set(configs.split(",")) if configs else None
    keep_d = set(datasets.split(",")) if datasets else None
    for path in sorted((RESULTS / grid / "models").glob("*.joblib")):
        parts = path.stem.split("__")
        if len(parts) != 4:
            continue
        dataset, config, seed, budget = parts
        if (keep_c and config not in keep_c) or (keep_d and dataset not in keep_d):
            continue
        yield path, dataset, config, int(seed.removeprefix("seed")), budget.removeprefix("b")


def run_minirocket(python: str, *args: str) -> dict:
    """Run ``_minirocket.py`` with ``args`` under ``python`` (an interpreter with aeon; aeon pins
    an older numba than the package's dependencies) and return the JSON it prints."""
    script = Path(__file__).resolve().parent / "_minirocket.py"
    out = subprocess.run([python, str(script), *map(str, args)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])
