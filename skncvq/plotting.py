"""Figures (matplotlib is an optional dependency: ``pip install skncvq[plots]``)."""

from __future__ import annotations

import os
from collections.abc import Mapping

import numpy as np

from ._io import atomic_path

__all__ = ["plot_real_vs_synthetic"]


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("plotting needs matplotlib; install it with `pip install skncvq[plots]`.") from exc
    return plt


def plot_real_vs_synthetic(
    X_real,
    y_real,
    synthetic: Mapping[str, tuple[np.ndarray, np.ndarray]],
    *,
    n_per_class: int = 5,
    path: str | os.PathLike | None = None,
    random_state: int | None = 0,
):
    """One row per class, one column for the real series and one per generator.

    Parameters
    ----------
    X_real, y_real : array-like
        Real series and their labels.
    synthetic : mapping of name to (X, y)
        Generated series and the labels they were generated for, per model.
    n_per_class : int, default=5
        Series drawn per panel (at random, thin lines).
    path : path or None
        Where to save the figure (format from the suffix, written atomically); None only returns it.
    random_state : int or None
        Seeds the choice of series to draw.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skncvq.plotting import plot_real_vs_synthetic
    >>> X, y = np.random.randn(20, 50), np.repeat([0, 1], 10)
    >>> fig = plot_real_vs_synthetic(X, y, {"noise": (np.random.randn(20, 50), y)})
    >>> len(fig.axes)
    4
    """
    plt = _pyplot()
    X_real, y_real = np.asarray(X_real), np.asarray(y_real)
    classes = np.unique(y_real)
    columns = {
        "real": (X_real, y_real),
        **{k: (np.asarray(v[0]), np.asarray(v[1])) for k, v in synthetic.items()},
    }
    rng = np.random.RandomState(random_state)
    fig, axes = plt.subplots(
        len(classes),
        len(columns),
        figsize=(3.2 * len(columns), 1.8 * len(classes)),
        sharex=True,
        sharey="row",
        squeeze=False,
    )
    for i, label in enumerate(classes):
        for j, (name, (X, y)) in enumerate(columns.items()):
            ax = axes[i, j]
            rows = np.flatnonzero(y == label)
            for r in rng.choice(rows, size=min(n_per_class, len(rows)), replace=False) if len(rows) else []:
                ax.plot(X[r], lw=0.8, alpha=0.8)
            if i == 0:
                ax.set_title(name, fontsize=9)
            if j == 0:
                ax.set_ylabel(f"class {label}", fontsize=8)
            ax.tick_params(labelsize=7)
    fig.tight_layout()
    if path is not None:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110, format=os.fspath(path).rsplit(".", 1)[-1])
    return fig
