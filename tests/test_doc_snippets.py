"""Every ``code-block:: python`` on the documentation site runs as shown. Training is cut to one
epoch by the test (the snippets' budgets are the ones users should use, minutes each); the
pages written as doctests (``>>>``) run under pytest's doctest collection instead."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").glob("*.rst")) + sorted((ROOT / "docs" / "user_guide").glob("*.rst"))
_BLOCK = re.compile(r"^\.\. code-block:: python\n\n((?:(?:[ ]{3,}.*)?\n)+)", re.MULTILINE)


def _snippets():
    for page in PAGES:
        for i, match in enumerate(_BLOCK.finditer(page.read_text())):
            lines = match.group(1).splitlines()
            indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
            code = "\n".join(line[indent:] for line in lines)
            yield pytest.param(code, id=f"{page.relative_to(ROOT / 'docs')}#{i}")


@pytest.fixture
def one_epoch(monkeypatch):
    """Every estimator's fit trains one epoch (its tokenizer's too), whatever its budget."""
    from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer

    for cls in (NCVQVAETransformer, MaskGITSampler, FCNClassifier):
        real = cls._check_params  # the first step of every fit (fit_transform's too)

        def check(self, _real=real):
            self.max_epochs, self.max_time = 1, None
            return _real(self)

        monkeypatch.setattr(cls, "_check_params", check)


@pytest.mark.parametrize("code", list(_snippets()))
def test_snippet_runs_as_shown(code, one_epoch, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # snippets that save files write here
    exec(compile(code, "<snippet>", "exec"), {"__name__": "__snippet__"})  # noqa: S102


def test_every_page_with_python_is_covered():
    assert len(list(_snippets())) >= 6
