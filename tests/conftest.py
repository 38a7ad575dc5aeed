import mpmath
import numpy as np
import pytest
from hypothesis import settings

from symact import catalog

# Property-based tests draw the same examples on every run and machine: a failure reproduces, CI is not flaky.
settings.register_profile("symact", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("symact")


@pytest.fixture(autouse=True)
def _isolate_global_state():
    """Each test starts at mpmath's default precision, a seeded NumPy, and only the built-in catalog."""
    mpmath.mp.dps = 15
    np.random.seed(0)
    catalog.USER.clear()  # a doctest elsewhere (README.md) may have defined some
    yield
    mpmath.mp.dps = 15
    catalog.USER.clear()
