"""Analysis for notebooks: sensitivity, where weights come from, calibration, comparison,
fairness and multi-year simulation.

Everything here works on the public objects of :mod:`fundalloc` (a
:class:`~fundalloc.RegionTable`, a :class:`~fundalloc.Scheme` and the
:class:`~fundalloc.Allocation` they give) and returns plain numbers, NumPy arrays or small
frozen dataclasses; nothing here changes how an allocation is computed.

The modules are :mod:`~fundalloc.analysis.weights` (entropy, AHP and equal weights),
:mod:`~fundalloc.analysis.calibrate`, :mod:`~fundalloc.analysis.sensitivity`,
:mod:`~fundalloc.analysis.compare`, :mod:`~fundalloc.analysis.decompose` (why an amount
changed), :mod:`~fundalloc.analysis.explore` (sliders in Jupyter),
:mod:`~fundalloc.analysis.fairness`, :mod:`~fundalloc.analysis.multiyear` and
:mod:`~fundalloc.analysis.robustness` (rounding stability, manipulability). Their names are
re-exported here, except the five functions named like their module (``calibrate``,
``compare``, ``decompose``, ``explore``, ``fairness``): import the
module and call ``fairness.fairness(...)``, so that ``fundalloc.analysis.fairness`` is always
the module, whatever was imported first.

>>> from fundalloc import analysis
>>> analysis.equal_weights(["a", "b"])
{'a': 0.5, 'b': 0.5}
>>> analysis.fairness.gini({"a": 1, "b": 1})
0.0
"""

from fundalloc.analysis import (
    calibrate,
    compare,
    decompose,
    explore,
    fairness,
    multiyear,
    robustness,
    sensitivity,
    weights,
)
from fundalloc.analysis.calibrate import Calibration, SchemeCalibration, calibrate_scheme
from fundalloc.analysis.compare import Change, Comparison
from fundalloc.analysis.decompose import Decomposition, RegionDecomposition
from fundalloc.analysis.fairness import (
    Fairness,
    Lorenz,
    coefficient_of_variation,
    gini,
    hhi,
    lorenz,
    theil,
)
from fundalloc.analysis.multiyear import HoldHarmlessTier, Simulation, Year, simulate
from fundalloc.analysis.robustness import (
    Manipulability,
    RoundingStability,
    manipulability,
    rounding_stability,
)
from fundalloc.analysis.sensitivity import (
    Batch,
    Derivatives,
    MonteCarlo,
    Sweep,
    WeightModel,
    derivatives,
    monte_carlo_data,
    monte_carlo_weights,
    solve_multipliers,
    sweep,
    tornado,
    weight_model,
)
from fundalloc.analysis.weights import (
    CONSISTENCY_LIMIT,
    SAATY_RANDOM_INDEX,
    AHPWeights,
    EntropyWeights,
    ahp_weights,
    entropy_weights,
    equal_weights,
    with_weights,
)

__all__ = [
    "CONSISTENCY_LIMIT",
    "SAATY_RANDOM_INDEX",
    "AHPWeights",
    "Batch",
    "Calibration",
    "Change",
    "Comparison",
    "Decomposition",
    "Derivatives",
    "EntropyWeights",
    "Fairness",
    "HoldHarmlessTier",
    "Lorenz",
    "Manipulability",
    "MonteCarlo",
    "RegionDecomposition",
    "RoundingStability",
    "SchemeCalibration",
    "Simulation",
    "Sweep",
    "WeightModel",
    "Year",
    "ahp_weights",
    "calibrate",
    "calibrate_scheme",
    "coefficient_of_variation",
    "compare",
    "decompose",
    "derivatives",
    "entropy_weights",
    "equal_weights",
    "explore",
    "fairness",
    "gini",
    "hhi",
    "lorenz",
    "manipulability",
    "monte_carlo_data",
    "monte_carlo_weights",
    "multiyear",
    "robustness",
    "rounding_stability",
    "sensitivity",
    "simulate",
    "solve_multipliers",
    "sweep",
    "theil",
    "tornado",
    "weight_model",
    "weights",
    "with_weights",
]
