"""symact's pytest plugin: costs nothing until a test uses symact.

Registered through the ``pytest11`` entry point. It imports neither symact nor SymPy: the hook
below only looks at objects that a test's own imports have already loaded. A failed ``assert``
that compares a ``symact`` ``Proof`` then shows the proof; the assertion helpers
(``symact.testing.assertions.assert_identity`` and friends) hide their own frames from the traceback.
"""

from __future__ import annotations

import sys


def pytest_assertrepr_compare(config, op, left, right):
    """Explain a failed comparison that involves a ``Proof`` (for example ``assert proof == 'proved'``)."""
    proofs = sys.modules.get("symact.proof.result")
    if proofs is None:  # no test has loaded symact: nothing of ours can be involved
        return None
    for side in (left, right):
        if isinstance(side, proofs.Proof):
            return [f"{side!r} {op} ...", *str(side).splitlines()]
    return None
