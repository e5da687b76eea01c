"""
Multivariate series: motions from six sensor channels
=====================================================

BasicMotions holds 80 recordings of a smartwatch's accelerometer and gyroscope (3 axes each,
so 6 channels of 100 steps) while people stand, walk, run or play badminton. The series go
in as one ``(n_series, n_channels, length)`` array; the tokenizer encodes all six channels of a
series into one token grid, and the sampler draws all six together.

The data ship with sktime (``pip install "skncvq[ts]"``). The fits below are bounded by
``SKNCVQ_EXAMPLE_SECONDS`` (10 s per stage unless set); the published pages use the defaults'
full training.
"""

import os

import numpy as np
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC
from sktime.datasets import load_basic_motions

from skncvq import MaskGITSampler, NCVQVAETransformer
from skncvq.plotting import plot_real_vs_synthetic

seconds = float(os.environ.get("SKNCVQ_EXAMPLE_SECONDS", 10))
X_train, y_train = load_basic_motions(split="train", return_type="numpy3D")
X_test, y_test = load_basic_motions(split="test", return_type="numpy3D")
print(X_train.shape, "classes:", sorted(set(y_train)))

# %%
# Classification: the one-liner
# -----------------------------
# The default tokenizer's features and a support-vector machine.
clf = make_pipeline(NCVQVAETransformer(max_time=seconds, random_state=0), SVC())
clf.fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# Samples per class, beside real ones
# -----------------------------------
# One panel per class and channel: the x-axis accelerometer (channel 0) and the x-axis
# gyroscope (channel 3). A sampled series is drawn as a whole, so its channels move together as
# a real recording's do: running has large, fast swings on both sensors, standing is flat.
sampler = MaskGITSampler(
    tokenizer=NCVQVAETransformer(max_time=seconds, random_state=0),
    max_time=seconds,
    random_state=0,
)
sampler = sampler.fit(X_train, y_train)
labels = np.repeat(sampler.classes_, 5)
X_new = sampler.sample(len(labels), y=labels, random_state=0)
fig = plot_real_vs_synthetic(
    X_test, y_test, {"MaskGITSampler": (X_new, labels)}, channels=[0, 3]
)

# %%
# The channels belong together: the correlation between the accelerometer's and the
# gyroscope's energy over the series, per class, in real and in sampled series.


def energy_correlation(X):
    acc, gyro = np.abs(X[:, 0:3]).mean((1, 2)), np.abs(X[:, 3:6]).mean((1, 2))
    return np.corrcoef(acc, gyro)[0, 1]


print(
    f"real: {energy_correlation(X_test):.2f}, sampled: {energy_correlation(X_new):.2f}"
)

# %%
# What to take from it: multichannel series need no reshaping, the pipeline classifies them
# from all channels at once, and the sampler's series keep each class's character on every
# channel and the relation between the sensors.
