"""Rounding under constraint rows moved to :mod:`fundalloc.rounding.rows`; this name stays
importable for code written against it."""

from fundalloc.rounding.rows import round_with_rows

__all__ = ["round_with_rows"]
