import numpy as np
import pytest

pytest.importorskip("matplotlib")

from skncvq.plotting import plot_real_vs_synthetic  # noqa: E402


def test_figure_has_one_panel_per_class_and_model(tmp_path):
    import matplotlib.pyplot as plt

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 40)), np.repeat(["a", "b", "c"], 10)
    path = tmp_path / "fig.png"
    fig = plot_real_vs_synthetic(X, y, {"m1": (X[:6], y[:6]), "m2": (X, y)}, path=path)
    assert len(fig.axes) == 3 * 3
    assert [ax.get_title() for ax in fig.axes[:3]] == ["real", "m1", "m2"]
    assert len(fig.axes[4].lines) == 0  # m1 has no class "b" series: empty panel, no error
    assert path.read_bytes().startswith(b"\x89PNG")
    plt.close(fig)


def test_reconstruction_token_and_history_figures(tmp_path):
    import matplotlib.pyplot as plt

    from skncvq.plotting import plot_history, plot_reconstructions, plot_token_grid

    rng = np.random.default_rng(0)
    X = rng.normal(size=(5, 40))
    fig = plot_reconstructions(X, X * 0.5, n_series=3, path=tmp_path / "rec.png")
    assert len(fig.axes) == 3 and len(fig.axes[0].lines) == 2
    assert (tmp_path / "rec.png").read_bytes().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="same shape"):
        plot_reconstructions(X, X[:, :10])
    grid = plot_token_grid(rng.integers(0, 4, size=(2, 5, 8)), codebook_size=4)
    assert grid.axes[0].images[0].get_array().shape == (5, 8)
    with pytest.raises(ValueError, match="n_freq, width"):
        plot_token_grid(np.zeros((5, 8), dtype=int))
    hist = [{"train_loss": 1.0 / (e + 1), "perplexity": 3.0 + e} for e in range(4)]
    fig = plot_history(hist, ("train_loss", "perplexity"))
    assert [ax.get_title() for ax in fig.axes] == ["train_loss", "perplexity"]
    assert list(fig.axes[1].lines[0].get_ydata()) == [3.0, 4.0, 5.0, 6.0]
    with pytest.raises(ValueError, match="no entries"):
        plot_history(hist, ("bogus",))
    plt.close("all")


def test_multivariate_series_get_one_panel_row_per_class_and_channel():
    from skncvq.plotting import plot_real_vs_synthetic

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(12, 3, 40)), np.repeat([0, 1], 6)
    fig = plot_real_vs_synthetic(X, y, {"model": (rng.normal(size=(12, 3, 40)), y)}, n_per_class=2)
    assert len(fig.axes) == 2 * 3 * 2  # (classes x channels) rows, real + one generator
    assert fig.axes[2].get_ylabel() == "class 0, ch 1"
    assert len(fig.axes[2].lines) == 2  # the same two series, their channel 1
