"""
Classification with a grid-searched pipeline
============================================

The tokenizer is an ordinary scikit-learn transformer: put it in front of a classifier and
search its parameters with ``GridSearchCV`` like any other step.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

from skncvq import NCVQVAETransformer
from skncvq.datasets import load_trace

X_train, y_train, X_test, y_test = load_trace()
small = dict(
    hidden_dim=16,
    codebook_dim=16,
    n_res_blocks=1,
    projector_dim=32,
    max_epochs=8,
    random_state=0,
)
pipe = make_pipeline(
    NCVQVAETransformer(**small), StandardScaler(), LinearSVC(C=0.1, max_iter=5000)
)

# %%
# Search the SSL objective and the representation on the training split only.
search = GridSearchCV(
    pipe,
    {
        "ncvqvaetransformer__ssl": [None, "barlowtwins"],
        "ncvqvaetransformer__output": ["pooled", "multiscale"],
    },
    cv=2,
)
search.fit(X_train, y_train)
print("best parameters:", search.best_params_)
print(f"test accuracy: {search.score(X_test, y_test):.3f}")

# %%
# Cross-validated accuracy of each candidate.
labels = [
    f"{p['ncvqvaetransformer__ssl']}\n{p['ncvqvaetransformer__output']}"
    for p in search.cv_results_["params"]
]
fig, ax = plt.subplots(figsize=(6, 3))
ax.bar(
    np.arange(len(labels)),
    search.cv_results_["mean_test_score"],
    yerr=search.cv_results_["std_test_score"],
)
ax.set_xticks(np.arange(len(labels)), labels, fontsize=8)
ax.set_ylabel("2-fold CV accuracy")
fig.tight_layout()
