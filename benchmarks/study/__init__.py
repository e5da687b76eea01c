"""The study: the thesis' configurations, both stages of a cell under one time budget, and the
resumable grid over UCR datasets behind ``python benchmarks/run_grid.py``. Not part of the library:
it uses skncvq's public API only.

Examples
--------
>>> from study import config_params
>>> config_params("barlowtwins-slice")
{'ssl': 'barlowtwins', 'augmentations': 'slice', 'latent_width': 8, 'batch_size': 128, 'ssl_until': 1.0, 'ssl_view_grad': True}
"""

from .cell import CellSettings, evaluate, evaluator_path, fit_evaluator, run_cell, settings_columns
from .configs import CONFIGS, Budget, config_params
from .grid import missing_cells, run_benchmark
from .machine import cpu_name, set_threads
from .report import markdown_table, summarize
from .results import append_csv_row, read_csv_rows, write_text_atomic

__all__ = [
    "CONFIGS",
    "CellSettings",
    "Budget",
    "config_params",
    "evaluate",
    "run_cell",
    "run_benchmark",
    "missing_cells",
    "fit_evaluator",
    "evaluator_path",
    "settings_columns",
    "summarize",
    "markdown_table",
    "cpu_name",
    "set_threads",
    "append_csv_row",
    "read_csv_rows",
    "write_text_atomic",
]
