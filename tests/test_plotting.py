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
