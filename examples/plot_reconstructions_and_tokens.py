"""
Reconstructions and token grids
===============================

Each series becomes a small grid of code ids (frequency bins by latent time steps); the decoder
turns a grid back into a series.
"""

from skncvq import NCVQVAETransformer
from skncvq.datasets import load_trace
from skncvq.plotting import plot_reconstructions, plot_token_grid

X_train, y_train, X_test, y_test = load_trace()
tok = NCVQVAETransformer(
    ssl=None,
    hidden_dim=16,
    codebook_dim=16,
    n_res_blocks=1,
    max_epochs=25,
    random_state=0,
)
tok.fit(X_train)

# %%
# Test series beside their reconstructions, and the whole-split errors.
fig = plot_reconstructions(X_test, tok.reconstruct(X_test), n_series=4)
print(tok.reconstruction_errors(X_test))

# %%
# The token grids of the same series: ``encode`` gives them, ``decode`` inverts them.
tokens = tok.encode(X_test[:4])
print("token grid shape per series:", tokens.shape[1:])
fig = plot_token_grid(tokens, codebook_size=tok.codebook_size)
