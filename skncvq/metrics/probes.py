"""Linear probes on a fitted tokenizer's features (the reference's KNN and linear-SVM protocol)."""

from __future__ import annotations

from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.svm import SVC
from sklearn.utils.validation import check_is_fitted

__all__ = ["probe_pipeline", "probe_scores"]


def probe_pipeline(kind: str = "svm", *, n_neighbors: int = 5):
    """The reference's unfitted probe: ``MinMaxScaler((-1, 1))`` then KNN or a linear SVM.

    Parameters
    ----------
    kind : {"svm", "knn"}, default="svm"
    n_neighbors : int, default=5
        Neighbours of the KNN probe.

    Examples
    --------
    >>> from skncvq.metrics import probe_pipeline
    >>> probe_pipeline("knn").steps[-1][1].n_neighbors
    5
    """
    if kind == "svm":
        clf = SVC(kernel="linear")
    elif kind == "knn":
        clf = KNeighborsClassifier(n_neighbors=n_neighbors)
    else:
        raise ValueError(f"kind must be 'svm' or 'knn'; got {kind!r}.")
    return make_pipeline(MinMaxScaler(feature_range=(-1, 1)), clf)


def probe_scores(transformer, X_train, y_train, X_test, y_test, *, n_neighbors: int = 5) -> dict[str, float]:
    """Test accuracy of KNN (k=5) and a linear SVM on the transformer's features.

    Features are ``transformer.transform(X)`` (the multi-scale pooled latent with the default
    ``output``; set ``output="pooled"`` for the reference's pooled quantized latent), scaled by
    ``MinMaxScaler((-1, 1))`` fitted on the training features, as in the
    reference. The transformer runs in eval mode: unlike the reference, encoding the test split
    updates neither the codebook nor BatchNorm statistics.

    Parameters
    ----------
    transformer : fitted NCVQVAETransformer (or any fitted transformer)
    X_train, y_train : array-like
        Series and labels the probes are fitted on.
    X_test, y_test : array-like
        Series and labels the probes are scored on.
    n_neighbors : int, default=5
        Neighbours of the KNN probe.

    Returns
    -------
    scores : dict
        ``{"knn": accuracy, "svm": accuracy}``.

    Examples
    --------
    >>> from skncvq import NCVQVAETransformer
    >>> from skncvq.datasets import make_synthetic
    >>> from skncvq.metrics import probe_scores
    >>> X, y = make_synthetic(60, 64, 2, random_state=0)
    >>> tok = NCVQVAETransformer(ssl=None, hidden_dim=16, codebook_dim=16, n_res_blocks=1,
    ...                          max_epochs=2, random_state=0).fit(X[:40])
    >>> sorted(probe_scores(tok, X[:40], y[:40], X[40:], y[40:]))
    ['knn', 'svm']
    """
    check_is_fitted(transformer)
    f_train = transformer.transform(X_train)
    f_test = transformer.transform(X_test)
    scores = {}
    for name in ("knn", "svm"):
        probe = probe_pipeline(name, n_neighbors=n_neighbors).fit(f_train, y_train)
        scores[name] = float(probe.score(f_test, y_test))
    return scores
