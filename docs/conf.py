"""Sphinx configuration of the skncvq documentation.

Build with ``sphinx-build -W -b html docs docs/_build/html`` (after ``pip install -e ".[docs]"``).
"""

from __future__ import annotations

import os

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

autosummary_generate = True
autodoc_default_options = {"inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False

# Offline builds: no inventories are fetched.
intersphinx_mapping: dict = {}

sphinx_gallery_conf = {
    "examples_dirs": os.path.join("..", "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
}
