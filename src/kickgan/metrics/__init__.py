"""The evaluation suite: a registry of metrics over features of sets of kicks.

Importing the package registers every metric, in the order of the report:
fd, kid, memorisation, coverage, descriptors, bands, edges, artefacts, validity.
Main entry point: :func:`kickgan.metrics.evaluate.evaluate` (see docs/evaluation.md).
"""

from kickgan.metrics import frechet, kid, memorisation, coverage, descriptors, bands, edges, artefacts, validity  # noqa: F401  (register)
from kickgan.metrics.evaluate import evaluate, evaluate_clips, format_table
from kickgan.metrics.registry import METRICS, register_metric

__all__ = ["METRICS", "evaluate", "evaluate_clips", "format_table", "register_metric"]
