"""Analysis for notebooks: sensitivity, where weights come from, calibration, comparison,
fairness and multi-year simulation.

Everything here works on the public objects of :mod:`fundalloc` (a
:class:`~fundalloc.RegionTable`, a :class:`~fundalloc.Scheme` and the
:class:`~fundalloc.Allocation` they give) and returns plain numbers, NumPy arrays or small
frozen dataclasses; nothing here changes how an allocation is computed.
"""
