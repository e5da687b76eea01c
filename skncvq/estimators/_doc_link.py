"""The "?" link of an estimator's HTML representation in a notebook: its page in skncvq's
documentation (scikit-learn's ``_doc_link_*`` hooks)."""

from __future__ import annotations

__all__ = ["DocLinkMixin", "DOCS_URL"]

#: Where skncvq's documentation is published; an estimator's page is
#: ``generated/skncvq.<ClassName>.html`` under it.
DOCS_URL = "https://skncvq.readthedocs.io/en/stable/"


class DocLinkMixin:
    """Points the HTML representation's documentation link at the estimator's own API page."""

    _doc_link_module = "skncvq"
    _doc_link_template = DOCS_URL + "generated/skncvq.{estimator_name}.html"
