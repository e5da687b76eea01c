"""Sphinx configuration of the skncvq documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` (after ``pip install -e ".[docs]"``).
"""

from __future__ import annotations

import os
import re

import skncvq

project = "skncvq"
author = "skncvq developers"
copyright = "skncvq developers"  # noqa: A001 - Sphinx's name
release = skncvq.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_parser",
    "sphinx_gallery.gen_gallery",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "auto_examples/*.zip"]
html_theme = "pydata_sphinx_theme"
html_title = f"skncvq {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
myst_heading_anchors = 3

templates_path = ["_templates"]
autosummary_generate = True
autodoc_typehints = "none"  # the numpydoc sections state every type
numpydoc_show_class_members = True  # a "Methods" table on each estimator page
numpydoc_class_members_toctree = False
numpydoc_show_inherited_class_members = True
numpydoc_xref_param_type = False

# Every reference must resolve (`-W` fails the build otherwise).
nitpicky = True

# Links into the libraries skncvq builds on. The published build sets SKNCVQ_DOCS_ONLINE=1 and
# fetches their inventories; an offline build (the test suite's) cannot, so there references
# into those libraries render as code and are not checked.
_EXTERNAL = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "scipy": "https://docs.scipy.org/doc/scipy/",
    "sklearn": "https://scikit-learn.org/stable/",
    "imblearn": "https://imbalanced-learn.org/stable/",
    "torch": "https://docs.pytorch.org/docs/stable/",
    "pandas": "https://pandas.pydata.org/docs/",
    "matplotlib": "https://matplotlib.org/stable/",
    "skorch": "https://skorch.readthedocs.io/en/stable/",
}
if os.environ.get("SKNCVQ_DOCS_ONLINE") == "1":
    intersphinx_mapping = {name: (url, None) for name, url in _EXTERNAL.items()}
else:
    intersphinx_mapping = {}
    nitpick_ignore_regex = [
        (r"py:.*", rf"({'|'.join(['np', 'os', 'pd', 'pathlib', 'collections', *_EXTERNAL])})(\..*)?"),
        (r"py:.*", r"(str|int|float|bool|dict|list|tuple|object|callable|None|bytes|type)"),
    ]

sphinx_gallery_conf = {
    "examples_dirs": os.path.join("..", "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "backreferences_dir": os.path.join("generated", "backreferences"),
    "doc_module": ("skncvq",),
    "reference_url": {"skncvq": None},
}


def _offline_library_refs(app, what, name, obj, options, lines) -> None:
    """Offline, the labels and glossary terms that inherited scikit-learn docstrings refer to
    (``:ref:`metadata_routing```) cannot resolve: keep their text, drop the link."""
    if intersphinx_mapping or not getattr(obj, "__module__", "").startswith("sklearn"):
        return
    role = re.compile(r":(?:ref|term):`([^`<]*?)\s*(?:<([^>]*)>)?`")
    lines[:] = [role.sub(lambda m: m.group(1) or m.group(2), line) for line in lines]


def setup(app) -> None:
    app.connect("autodoc-process-docstring", _offline_library_refs)
