"""Codes no training series uses are retired after the tokenizer's fit: never encoded, never
sampled, and decoded like their nearest used code, so no synthetic series leaves the data's range."""

import numpy as np
import pytest
import torch

from skncvq import MaskGITSampler, NCVQVAETransformer
from skncvq.nn.quantizer import VectorQuantizer

from ..conftest import TINY


@pytest.fixture(scope="module")
def young(data):
    """A briefly trained tokenizer with far more codes than it uses, and a young prior on it."""
    X, y = data
    tok = NCVQVAETransformer(**{**TINY, "codebook_size": 64, "max_epochs": 1}, random_state=0).fit(X)
    sampler = MaskGITSampler(tok, hidden_dim=16, n_layers=1, max_epochs=1, random_state=0).fit(X, y)
    return tok, sampler


def test_unused_codes_are_retired(young, data):
    X, _ = data
    tok, _ = young
    dead = tok.code_counts_ == 0
    assert dead.any() and not dead.all()
    assert tok.code_counts_.sum() == len(X) * np.prod(tok.token_shape_)
    assert not np.isin(tok.encode(X), np.flatnonzero(dead)).any()
    norms = np.linalg.norm(tok.codebook_, axis=1)
    assert norms[dead].max() <= norms[~dead].max()


def test_no_code_decodes_out_of_the_data_range(young, data):
    X, _ = data
    tok, _ = young
    f, w = tok.token_shape_
    every_code = np.repeat(np.arange(64), f * w).reshape(64, f, w)
    out = tok.decode(every_code)
    spread = X.max() - X.min()
    assert np.abs(out - X.mean()).max() < 10 * spread


def test_the_sampler_never_draws_a_retired_code(young):
    tok, sampler = young
    tokens = sampler.sample_tokens(64, random_state=0)
    assert not np.isin(tokens, np.flatnonzero(tok.code_counts_ == 0)).any()


def test_retire_moves_dead_codes_onto_their_nearest_live_code():
    torch.manual_seed(0)
    q = VectorQuantizer(4, 2)
    q.embed.copy_(torch.tensor([[0.0, 0.0], [1e5, 0.0], [5.0, 5.0], [4.0, 4.0]]))
    q.retire(torch.tensor([3, 0, 1, 0]))
    assert q.live.tolist() == [True, False, True, False]
    assert q.embed[1].tolist() == [5.0, 5.0] and q.embed[3].tolist() == [5.0, 5.0]
    z = torch.tensor([[4.1, 4.1], [1e5, 1.0]]).t()[None, :, None, :]  # (1, D, 1, 2)
    assert q.assign(z).flatten().tolist() == [2, 2]
    with pytest.raises(ValueError, match="at least one code"):
        q.retire(torch.zeros(4))
