import linecache
import os
import tempfile

import mpmath
import numpy as np
import pytest
from hypothesis import settings

from symact import catalog
from symact.analysis import engine
from tests.shared import SharedResults

# The suite's compiled kernels go to a cache folder of its own, never the user's (doctests included: this file is
# imported while the suite is collected, before any test runs). Under pytest-xdist the workers inherit the
# controller's folder, so a kernel compiled by one worker is loaded, not compiled again, by the others.
if "PYTEST_XDIST_WORKER" not in os.environ or "SYMACT_TEST_CACHE_DIR" not in os.environ:
    os.environ["SYMACT_TEST_CACHE_DIR"] = tempfile.mkdtemp(prefix="symact-test-cache-")
os.environ["SYMACT_CACHE_DIR"] = os.environ["SYMACT_TEST_CACHE_DIR"]

# Each activation's properties are analysed once per run, not once per worker: the workers share the answers.
engine._CACHE = SharedResults(os.path.join(os.environ["SYMACT_TEST_CACHE_DIR"], "properties"))


def _checkcache(filename=None, _check=linecache.checkcache):
    """``linecache.checkcache``, tolerating an entry removed while it runs: SymPy's lambdify removes its own when
    the function is collected, which a garbage collection inside the loop can do (Python 3.11 then raises
    KeyError; doctest's debugger calls it before every doctest). A retry lists the entries anew."""
    for _ in range(100):
        try:
            return _check(filename)
        except KeyError:
            continue
    return _check(filename)


linecache.checkcache = _checkcache

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


# Under pytest-xdist (`--dist loadgroup`), a file's tests run in one worker, so its module fixtures are computed
# once; the files that run the chapter's theorems share one worker, where each theorem is proved once per run
# (``Theorem.run`` keeps its proof).
THEOREM_FILES = {"test_cli.py", "test_notes.py", "test_verdicts.py"}

# The workers take the groups in collection order (``--no-loadscope-reorder``: xdist would otherwise start the
# groups with the most tests first, and a group of a few long tests last, while the other worker sits idle).
# These groups, the longest of a run on two cores, come first, longest first; test_reproducible.py's comes last,
# as its slowed process, started at collection, computes beside the other tests (see there).
LONGEST_FIRST = ["theorems", "test_fused.py", "test_beyond_catalog.py", "test_compile.py"]
LONGEST_FIRST += ["test_prove_adversarial.py", "test_property_soundness.py", "test_kernels_beyond_catalog.py"]


def pytest_configure(config):
    config.addinivalue_line("markers", "xdist_group(name): the tests pytest-xdist runs in one worker")


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    rank = {}
    for item in items:
        theorems = item.path.parent.name == "proofs" or item.path.name in THEOREM_FILES
        item.add_marker(pytest.mark.xdist_group("theorems" if theorems else str(item.path)))
        name = "theorems" if theorems else item.path.name
        rank[item] = LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)
        if name == "test_reproducible.py":  # last: its slowed process computes beside the other tests meanwhile
            rank[item] = len(LONGEST_FIRST) + 1
    items.sort(key=rank.__getitem__)  # stable: each group keeps its own order
    if any(item.path.name == "test_reproducible.py" for item in items):
        from tests.test_reproducible import start_slowed_process

        start_slowed_process()
