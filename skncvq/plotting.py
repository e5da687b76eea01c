"""Figures (matplotlib is an optional dependency: ``pip install skncvq[plots]``)."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import numpy as np

from ._io import atomic_path

__all__ = ["plot_real_vs_synthetic", "plot_reconstructions", "plot_token_grid", "plot_history"]


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
    channels: Sequence[int] | None = None,
    path: str | os.PathLike | None = None,
    random_state: int | None = 0,
):
    """One row per class (per class and channel for multivariate series), one column for the
    real series and one per generator.

    Parameters
    ----------
    X_real, y_real : array-like
        Real series, ``(n, length)`` or ``(n, n_channels, length)``, or a list of series of
        unequal lengths, and their labels.
    synthetic : mapping of name to (X, y)
        Generated series and the labels they were generated for, per model.
    n_per_class : int, default=5
        Series drawn per panel (at random, thin lines).
    channels : sequence of int or None, default=None
        The channels to draw, a panel row each per class; None draws all.
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
    X_real, y_real = _channels(X_real), np.asarray(y_real)
    classes = np.unique(y_real)
    columns = {
        "real": (X_real, y_real),
        **{k: (_channels(v[0]), np.asarray(v[1])) for k, v in synthetic.items()},
    }
    shown = list(range(X_real[0].shape[0])) if channels is None else [int(c) for c in channels]
    bad = [c for c in shown if not 0 <= c < X_real[0].shape[0]]
    if bad or not shown:
        raise ValueError(
            f"channels {bad or shown} are not among the series' {X_real[0].shape[0]} channel(s)."
        )
    n_ch = len(shown)
    rng = np.random.RandomState(random_state)
    fig, axes = plt.subplots(
        len(classes) * n_ch,
        len(columns),
        figsize=(3.2 * len(columns), 1.8 * len(classes) * n_ch),
        sharex=True,
        sharey="row",
        squeeze=False,
    )
    for i, label in enumerate(classes):
        for j, (name, (X, y)) in enumerate(columns.items()):
            rows = np.flatnonzero(y == label)
            drawn = rng.choice(rows, size=min(n_per_class, len(rows)), replace=False) if len(rows) else []
            for k, c in enumerate(shown):
                ax = axes[i * n_ch + k, j]
                for r in drawn:
                    ax.plot(X[r][c], lw=0.8, alpha=0.8)
                if i == 0 and k == 0:
                    ax.set_title(name, fontsize=9)
                if j == 0:
                    several = X_real[0].shape[0] > 1
                    ax.set_ylabel(f"class {label}" + (f", ch {c}" if several else ""), fontsize=8)
                ax.tick_params(labelsize=7)
    fig.tight_layout()
    _save(fig, path)
    return fig


def _channels(X) -> np.ndarray | list[np.ndarray]:
    """Series as ``(n, n_channels, length)``, or a list of ``(n_channels, length_i)`` for a list
    of series of unequal lengths: one-channel series get their channel axis."""
    if isinstance(X, (list, tuple)) and len({np.shape(s) for s in X}) > 1:
        return [np.atleast_2d(np.asarray(s)) for s in X]
    X = np.asarray(X)
    return X[:, None, :] if X.ndim == 2 else X


def _save(fig, path) -> None:
    if path is not None:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=110, format=os.fspath(path).rsplit(".", 1)[-1])


def plot_reconstructions(X, X_rec, *, n_series: int = 4, path: str | os.PathLike | None = None):
    """Series beside their reconstructions, one panel per series.

    Parameters
    ----------
    X, X_rec : array-like of shape (n, length)
        Series and their reconstructions (e.g. ``NCVQVAETransformer.reconstruct(X)``).
    n_series : int, default=4
        Panels drawn: the first ``n_series`` series.
    path : path or None
        Where to save the figure (written atomically); None only returns it.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skncvq.plotting import plot_reconstructions
    >>> X = np.random.randn(6, 50)
    >>> len(plot_reconstructions(X, X + 0.1, n_series=3).axes)
    3
    """
    plt = _pyplot()
    X, X_rec = np.asarray(X), np.asarray(X_rec)
    if X.shape != X_rec.shape:
        raise ValueError(f"X and X_rec must have the same shape; got {X.shape} and {X_rec.shape}.")
    n = min(int(n_series), len(X))
    fig, axes = plt.subplots(1, n, figsize=(3.0 * n, 2.2), squeeze=False, sharey=True)
    for i, ax in enumerate(axes[0]):
        ax.plot(X[i], lw=1.0, label="series")
        ax.plot(X_rec[i], lw=1.0, ls="--", label="reconstruction")
        ax.set_title(f"series {i}", fontsize=9)
        ax.tick_params(labelsize=7)
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    _save(fig, path)
    return fig


def plot_token_grid(tokens, *, codebook_size: int | None = None, path: str | os.PathLike | None = None):
    """Token grids as images: frequency bins down, latent time steps across, one code per colour.

    Parameters
    ----------
    tokens : array-like of int, shape (n, n_freq, width)
        Code ids, as returned by ``NCVQVAETransformer.encode``.
    codebook_size : int or None
        Number of codes (fixes the colour scale); None uses the largest id + 1.
    path : path or None
        Where to save the figure (written atomically); None only returns it.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skncvq.plotting import plot_token_grid
    >>> fig = plot_token_grid(np.random.randint(0, 8, (2, 5, 8)), codebook_size=8)
    >>> len(fig.axes)  # two grids and the colour bar
    3
    """
    plt = _pyplot()
    tokens = np.asarray(tokens)
    if tokens.ndim != 3:
        raise ValueError(f"tokens must have shape (n, n_freq, width); got {tokens.shape}.")
    k = int(codebook_size) if codebook_size is not None else int(tokens.max()) + 1
    n = len(tokens)
    fig, axes = plt.subplots(1, n, figsize=(2.6 * n + 0.6, 1.8), squeeze=False)
    image = None
    for i, ax in enumerate(axes[0]):
        image = ax.imshow(
            tokens[i], aspect="auto", cmap="viridis", vmin=0, vmax=k - 1, interpolation="nearest"
        )
        ax.set_title(f"series {i}", fontsize=9)
        ax.set_xlabel("latent time step", fontsize=8)
        ax.set_ylabel("frequency bin", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.colorbar(image, ax=list(axes[0]), label="code id")
    _save(fig, path)
    return fig


def plot_history(history, keys=("train_loss",), *, path: str | os.PathLike | None = None):
    """Per-epoch curves of a fitted estimator's ``history_``, one panel per key.

    Parameters
    ----------
    history : list of dict
        ``history_`` of a fitted estimator (one dict per epoch).
    keys : sequence of str, default=("train_loss",)
        Entries to draw, e.g. ``("recon_time", "ssl", "perplexity", "dead_codes")``.
    path : path or None
        Where to save the figure (written atomically); None only returns it.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from skncvq.plotting import plot_history
    >>> fig = plot_history([{"train_loss": 1.0}, {"train_loss": 0.5}])
    >>> fig.axes[0].get_title()
    'train_loss'
    """
    plt = _pyplot()
    keys = list(keys)
    missing = [k for k in keys if not any(k in row for row in history)]
    if missing:
        known = sorted({k for row in history for k in row})
        raise ValueError(f"history has no entries {missing}; it has {known}.")
    fig, axes = plt.subplots(1, len(keys), figsize=(3.0 * len(keys), 2.3), squeeze=False)
    for ax, key in zip(axes[0], keys):
        ax.plot([row.get(key, np.nan) for row in history], lw=1.2)
        ax.set_title(key, fontsize=9)
        ax.set_xlabel("epoch", fontsize=8)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    _save(fig, path)
    return fig
