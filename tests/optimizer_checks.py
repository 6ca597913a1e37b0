"""The check every "from scratch" optimizer snippet shares: its update rule, run beside torch.optim.

Such a snippet defines SETTINGS (name -> optimizer options), STEPS, run_torch(options, dtype),
run_scratch(options, dtype) (each returns the iterates, the start included) and max_difference.
"""

import pytest
import torch

FLOAT64_TOLERANCE = 1e-12  # same formulas, float64: differences are rounding in the last bits
FLOAT32_TOLERANCE = 1e-4  # float32 rounds at ~1e-7 relative per operation, compounding over 30 steps
IN_BOTH_PRECISIONS = pytest.mark.parametrize(
    "dtype, tolerance", [(torch.float64, FLOAT64_TOLERANCE), (torch.float32, FLOAT32_TOLERANCE)]
)


def assert_scratch_matches_torch(ns, dtype, tolerance, settings: int, steps: int = 30):
    assert ns["STEPS"] == steps and len(ns["SETTINGS"]) == settings
    for name, options in ns["SETTINGS"].items():
        reference = ns["run_torch"](options, dtype=dtype)
        assert len(reference) == steps + 1
        assert ns["max_difference"](ns["run_scratch"](options, dtype=dtype), reference) < tolerance, name


def assert_settings_move_the_iterates(ns, baseline: dict, names, by: float = 1e-3):
    """The named settings exercise their code paths: each moves the iterates of `baseline` by more than `by`."""
    plain = ns["run_torch"](baseline)
    for name in names:
        assert ns["max_difference"](ns["run_torch"](ns["SETTINGS"][name]), plain) > by, name
