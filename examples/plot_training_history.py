"""
Training curves and codebook use
================================

``history_`` records every loss term, the codebook perplexity and the number of dead codes per
epoch. A healthy codebook keeps its perplexity well above 1 and few dead codes.
"""

from skncvq import NCVQVAETransformer
from skncvq.datasets import load_trace
from skncvq.metrics import codebook_usage
from skncvq.plotting import plot_history

X_train, y_train, X_test, y_test = load_trace()
tok = NCVQVAETransformer(
    hidden_dim=16,
    codebook_dim=16,
    n_res_blocks=1,
    projector_dim=32,
    max_epochs=15,
    random_state=0,
)
tok.fit(X_train)

# %%
# The SSL branch runs for the first ``ssl_until`` (75 %) of training, then the fit continues on
# reconstruction alone: the ``ssl`` curve stops there.
fig = plot_history(tok.history_, ("recon_time", "ssl", "perplexity", "dead_codes"))

# %%
# Codebook use on held-out series.
perplexity, dead = codebook_usage(tok.encode(X_test), tok.codebook_size)
print(
    f"test perplexity {perplexity:.1f} of {tok.codebook_size} codes, {dead} never used"
)
