"""Evaluation: linear probes, reconstruction error, FID, IS, CAS and their scorers."""

from .cas import cas_score
from .codebook import codebook_usage
from .fid import fid_score, frechet_distance
from .generative import EVALUATOR_MAX_TIME, cas_class_counts, generative_scores
from .inception import inception_score, inception_score_from_proba, is_splits
from .probes import probe_pipeline, probe_scores
from .reconstruction import reconstruction_error
from .scorers import make_cas_scorer, make_fid_scorer, make_inception_scorer

__all__ = [
    "probe_pipeline",
    "probe_scores",
    "reconstruction_error",
    "fid_score",
    "frechet_distance",
    "inception_score",
    "inception_score_from_proba",
    "is_splits",
    "cas_score",
    "make_fid_scorer",
    "make_inception_scorer",
    "make_cas_scorer",
    "generative_scores",
    "cas_class_counts",
    "codebook_usage",
    "EVALUATOR_MAX_TIME",
]
