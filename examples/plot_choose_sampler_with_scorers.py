"""
Choosing a sampler with FID, IS and CAS
=======================================

The FID / IS / CAS scorers call ``sample`` on a fitted estimator, so ``GridSearchCV`` can choose
sampler parameters by the quality of the series themselves. Each scorer needs an evaluator, an
:class:`~skncvq.FCNClassifier` trained on the real training data.
"""

import matplotlib.pyplot as plt
from sklearn.frozen import FrozenEstimator
from sklearn.model_selection import GridSearchCV

from skncvq import FCNClassifier, MaskGITSampler, NCVQVAETransformer
from skncvq.datasets import load_trace
from skncvq.metrics import make_cas_scorer, make_fid_scorer, make_inception_scorer

X_train, y_train, X_test, y_test = load_trace()
evaluator = FCNClassifier(max_epochs=20, random_state=0).fit(X_train, y_train)
print(f"evaluator test accuracy: {evaluator.score(X_test, y_test):.3f}")

# %%
# One fitted tokenizer shared by every candidate and fold: ``FrozenEstimator`` keeps the search's
# ``clone`` from unfitting it, so stage 1 is fitted once; the search varies the guidance scale.
tok = NCVQVAETransformer(
    ssl=None,
    hidden_dim=16,
    codebook_dim=16,
    n_res_blocks=1,
    max_epochs=25,
    random_state=0,
)
tok.fit(X_train)
sampler = MaskGITSampler(
    tokenizer=FrozenEstimator(tok),
    hidden_dim=32,
    n_layers=1,
    max_epochs=40,
    random_state=0,
)
scoring = {
    "fid": make_fid_scorer(evaluator),
    "is": make_inception_scorer(evaluator),
    "cas": make_cas_scorer(FCNClassifier(max_epochs=10, random_state=0)),
}
search = GridSearchCV(
    sampler, {"guidance_scale": [1.0, 3.0]}, scoring=scoring, refit="fid", cv=2
)
search.fit(X_train, y_train)
print("chosen by FID:", search.best_params_)

# %%
# FID is negated by its scorer (greater is better for scikit-learn).
res = search.cv_results_
fig, axes = plt.subplots(1, 3, figsize=(9, 2.6))
for ax, key, sign in zip(axes, ["fid", "is", "cas"], [-1, 1, 1]):
    ax.plot(
        res["param_guidance_scale"].data.astype(float),
        sign * res[f"mean_test_{key}"],
        "o-",
    )
    ax.set_title(key.upper())
    ax.set_xlabel("guidance_scale")
fig.tight_layout()
