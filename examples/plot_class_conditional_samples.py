"""
Class-conditional samples
=========================

A MaskGIT prior over the tokenizer's codes samples new series of a chosen class.
"""

import numpy as np

from skncvq import MaskGITSampler, NCVQVAETransformer
from skncvq.datasets import load_trace
from skncvq.plotting import plot_real_vs_synthetic

X_train, y_train, X_test, y_test = load_trace()
tok = NCVQVAETransformer(
    ssl=None,
    hidden_dim=16,
    codebook_dim=16,
    n_res_blocks=1,
    max_epochs=25,
    random_state=0,
)
sampler = MaskGITSampler(
    tokenizer=tok, hidden_dim=32, n_layers=1, max_epochs=60, random_state=0
)
sampler = sampler.fit(X_train, y_train)

# %%
# Five series per class, real beside synthetic.
labels = np.repeat(sampler.classes_, 5)
X_new = sampler.sample(len(labels), y=labels)
fig = plot_real_vs_synthetic(
    X_test, y_test, {"MaskGITSampler": (X_new, labels)}, n_per_class=5
)

# %%
# The prior's held-out masked-token log-likelihood, what ``score`` returns.
print(f"held-out log-likelihood per masked token: {sampler.score(X_test, y_test):.3f}")
