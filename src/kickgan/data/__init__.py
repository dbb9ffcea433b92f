"""Data: the kick synthesiser, the dataset builder, splits, de-duplication, loading and ``data show``."""
