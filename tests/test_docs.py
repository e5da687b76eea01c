"""The documentation builds with warnings as errors, gallery examples executed."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_docs_build_without_warnings(tmp_path):
    for module in (
        "sphinx",
        "numpydoc",
        "pydata_sphinx_theme",
        "sphinx_gallery",
        "myst_parser",
        "matplotlib",
    ):
        pytest.importorskip(module)
    # build a copy, so that the generated gallery and API pages never land in the source tree
    shutil.copytree(
        ROOT / "docs",
        tmp_path / "docs",
        ignore=shutil.ignore_patterns("_build", "auto_examples", "generated"),
    )
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")  # the quickstart includes its usage
    # the decisions page includes the benchmark tables that the scripts generate
    results = tmp_path / "benchmarks" / "results"
    results.mkdir(parents=True)
    for table in (ROOT / "benchmarks" / "results").glob("*.md"):
        shutil.copy(table, results / table.name)
    out = tmp_path / "html"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "sphinx",
            "-W",
            "--keep-going",
            "-q",
            "-b",
            "html",
            str(tmp_path / "docs"),
            str(out),
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-8000:]
    gallery = out / "auto_examples"
    pages = sorted(p.stem for p in gallery.glob("plot_*.html"))
    assert len(pages) >= 6, pages
    images = list((tmp_path / "docs" / "auto_examples" / "images").glob("sphx_glr_plot_*.png"))
    assert len({p.name.split("_00")[0] for p in images}) >= 6, "every example draws a figure"
    api = (out / "api.html").read_text()
    for name in ("NCVQVAETransformer", "MaskGITSampler", "make_cas_scorer", "plot_token_grid"):
        assert name in api
    # every public method has its section on its estimator's page, which the HTML repr links to
    from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer
    from skncvq.estimators._doc_link import DOCS_URL

    for cls, methods in (
        (
            NCVQVAETransformer,
            ("fit", "transform", "encode", "decode", "reconstruct", "inverse_transform", "score"),
        ),
        (MaskGITSampler, ("fit", "sample", "edit", "fit_resample", "score", "sample_tokens")),
        (FCNClassifier, ("fit", "predict", "predict_proba", "embed", "score")),
    ):
        link = cls()._get_doc_link()
        assert link.startswith(DOCS_URL)
        page = (out / link.removeprefix(DOCS_URL)).read_text()
        for method in methods:
            assert f'id="skncvq.{cls.__name__}.{method}"' in page, (cls.__name__, method)
        assert "Parameters" in page and "Returns" in page
    # the reference lists the public API only: no torch modules or skorch nets
    generated = {p.stem for p in (out / "generated").glob("*.html")}
    assert not {g for g in generated if g.startswith(("skncvq.nn", "skncvq.training"))}, generated
