import mpmath
import numpy as np
import pytest


@pytest.fixture(autouse=True)
def _reset_precision_and_seed():
    mpmath.mp.dps = 15
    np.random.seed(0)
    yield
    mpmath.mp.dps = 15
