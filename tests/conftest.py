import os
import tempfile

import mpmath
import numpy as np
import pytest
from hypothesis import settings

from symact import catalog

# The suite's compiled kernels go to a cache folder of its own, never the user's (doctests included: this file is
# imported while the suite is collected, before any test runs).
os.environ["SYMACT_CACHE_DIR"] = tempfile.mkdtemp(prefix="symact-test-cache-")

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
