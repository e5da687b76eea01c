"""The README's results table is what benchmarks/report.py prints from the canonical run."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _report():
    spec = importlib.util.spec_from_file_location("report", ROOT / "benchmarks" / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("readme", ["README.md", "benchmarks/README.md"])
def test_readme_table_matches_the_canonical_run(readme):
    report = _report()
    text = (ROOT / readme).read_text()
    start = text.index(report.BEGIN) + len(report.BEGIN)
    end = text.index(report.END)
    assert text[start:end].strip() == report.readme_block().strip(), (
        f"{readme}'s results table differs from the canonical run; run `python benchmarks/report.py --write`"
    )


def test_readme_one_liner_table_matches_heads_csv():
    report = _report()
    text = (ROOT / "README.md").read_text()
    start = text.index(report.HEADS_BEGIN) + len(report.HEADS_BEGIN)
    end = text.index(report.HEADS_END)
    assert text[start:end].strip() == report.heads_block().strip(), (
        "README.md's one-liner table differs from results/heads.csv; run `python benchmarks/report.py --write`"
    )


def test_replace_block_swaps_only_the_table():
    report = _report()
    text = f"intro\n{report.BEGIN}\nold\n{report.END}\nrest\n"
    assert report.replace_block(text, "new\n") == f"intro\n{report.BEGIN}\nnew\n{report.END}\nrest\n"


def test_readmes_stay_short():
    assert len((ROOT / "README.md").read_text().splitlines()) <= 150
    assert len((ROOT / "benchmarks" / "README.md").read_text().splitlines()) <= 250
