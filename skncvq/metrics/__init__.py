"""Evaluation: linear probes and reconstruction error."""

from .probes import probe_scores
from .reconstruction import reconstruction_error

__all__ = ["probe_scores", "reconstruction_error"]
