"""
Topping up an imbalanced training set
=====================================

``fit_resample`` follows imbalanced-learn's sampler contract, so the sampler is a step of an
``imblearn`` pipeline: at fit time it adds synthetic series of the rare classes, at predict time
it does nothing. Here classes 1 and 2 keep 5 of their 25 training series.
"""

import matplotlib.pyplot as plt
import numpy as np
from imblearn.over_sampling import RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.metrics import balanced_accuracy_score
from sklearn.neighbors import KNeighborsClassifier

from skncvq import MaskGITSampler, NCVQVAETransformer
from skncvq.datasets import load_trace

X_train, y_train, X_test, y_test = load_trace()
keep = np.concatenate(
    [
        np.flatnonzero(y_train == c)[: 5 if c in (1, 2) else None]
        for c in np.unique(y_train)
    ]
)
X_imb, y_imb = X_train[keep], y_train[keep]
print("training series per class:", dict(zip(*np.unique(y_imb, return_counts=True))))

tok = NCVQVAETransformer(
    ssl=None,
    hidden_dim=16,
    codebook_dim=16,
    n_res_blocks=1,
    max_epochs=25,
    random_state=0,
)
samplers = {
    "none": None,
    "random oversampling": RandomOverSampler(random_state=0),
    "MaskGITSampler": MaskGITSampler(
        tokenizer=tok, hidden_dim=32, n_layers=1, max_epochs=60, random_state=0
    ),
}

# %%
# A 1-nearest-neighbour classifier on the raw series, with each way of topping up.
scores = {}
for name, sampler in samplers.items():
    steps = (
        [KNeighborsClassifier(n_neighbors=1)]
        if sampler is None
        else [sampler, KNeighborsClassifier(n_neighbors=1)]
    )
    model = make_pipeline(*steps).fit(X_imb, y_imb)
    scores[name] = balanced_accuracy_score(y_test, model.predict(X_test))
    print(f"{name:>20}: balanced accuracy {scores[name]:.3f}")

fig, ax = plt.subplots(figsize=(5, 2.6))
ax.barh(list(scores), list(scores.values()))
ax.set_xlabel("balanced accuracy on the test split")
fig.tight_layout()
