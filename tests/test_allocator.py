"""glibc malloc thresholds: applied where glibc is, fewer page faults, nothing changed elsewhere."""

import os
import platform
import subprocess
import sys

import pytest

from skncvq import allocator, cli
from skncvq.allocator import malloc_tuned, tune_malloc

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"

# allocates and frees a 64 MiB tensor (torch does not ask for huge pages, as numpy does) 20 times; prints the minor page faults that took
_FAULTS = """
import resource, sys
import torch
if sys.argv[1] == "tuned":
    from skncvq.allocator import tune_malloc
    assert tune_malloc(children=False)
torch.ones(1)
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    a = torch.empty(2**24)
    a.fill_(1.0)
    del a
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    out = subprocess.run(
        [sys.executable, "-c", _FAULTS, mode], capture_output=True, text=True, check=True, env=env
    )
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not GLIBC, reason="mallopt thresholds exist in glibc only")
def test_a_freed_large_block_is_reused_instead_of_faulted_in_again():
    plain, tuned = _faults("plain"), _faults("tuned")
    # untuned: every 64 MiB block is a fresh mmap, faulted in page by page (about 16,000 each)
    assert plain > 10 * 16_000
    assert tuned < plain / 5


@pytest.mark.skipif(not GLIBC, reason="mallopt thresholds exist in glibc only")
def test_tune_malloc_applies_here_and_to_child_processes(monkeypatch):
    monkeypatch.setattr(allocator, "_applied", False)
    assert not malloc_tuned()
    assert tune_malloc(128 * 2**20, 2**30) is True
    assert malloc_tuned()
    assert os.environ["MALLOC_MMAP_THRESHOLD_"] == str(128 * 2**20)
    assert os.environ["MALLOC_TRIM_THRESHOLD_"] == str(2**30)


def test_tune_malloc_changes_nothing_without_glibc(monkeypatch):
    monkeypatch.setattr(allocator, "_applied", False)
    monkeypatch.setattr(platform, "libc_ver", lambda *a, **k: ("", ""))
    assert tune_malloc() is False
    assert not malloc_tuned()
    assert "MALLOC_MMAP_THRESHOLD_" not in os.environ


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(mmap_threshold=1.5e8), TypeError, "mmap_threshold must be an int"),
        (dict(trim_threshold=True), TypeError, "trim_threshold must be an int"),
        (dict(mmap_threshold=0), ValueError, r"mmap_threshold must be in \[1, 2\*\*31 - 1\]"),
        (dict(trim_threshold=2**31), ValueError, "a C int"),
    ],
)
def test_bad_thresholds_are_refused_before_anything_changes(monkeypatch, kwargs, error, match):
    monkeypatch.setattr(allocator, "_applied", False)
    with pytest.raises(error, match=match):
        tune_malloc(**kwargs)
    assert not malloc_tuned()


def test_the_command_line_tunes_malloc_unless_told_not_to(monkeypatch):
    calls = []
    monkeypatch.setattr(allocator, "tune_malloc", lambda: calls.append(1) or True)
    monkeypatch.setattr(cli, "cmd_fit", lambda args: 0)
    assert cli.main(["fit", "Trace"]) == 0
    assert calls == [1]
    assert cli.main(["--no-tune-malloc", "fit", "Trace"]) == 0
    assert calls == [1]
