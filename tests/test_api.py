"""The public API is small and importable; ``import symact`` loads no optional package."""

import ast
from pathlib import Path

import symact

PACKAGE = Path(symact.__file__).parent


def test_every_public_name_imports():
    for name in symact.__all__:
        assert getattr(symact, name) is not None, name
    assert len(set(symact.__all__)) == len(symact.__all__)


def test_init_holds_imports_and_all_only():
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "ImportFrom", "Assign"}


def test_import_does_not_load_optional_packages():
    import subprocess
    import sys

    optional = ("matplotlib", "torch", "sklearn", "jax", "scipy", "numba")  # scipy: 0.4 s, loaded by erf's first call
    code = f"import sys, symact; print(sorted(m for m in {optional!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent, check=True)
    assert out.stdout.strip() == "[]"


def test_a_repeated_kernel_call_resolves_nothing_until_a_name_is_redefined(monkeypatch):
    import pytest

    from symact.kernels import api

    symact.define("act_seen", "x*sigmoid(x)")
    k, user = symact.kernel("act_seen", backend="numpy"), symact.kernel("silu", backend="numpy", kink="mean")
    monkeypatch.setattr(api, "resolve", lambda *args: pytest.fail("resolved again"))
    assert symact.kernel("act_seen", backend="numpy") is k
    assert symact.kernel("silu", backend="numpy", kink="mean") is user
    monkeypatch.undo()
    symact.define("act_seen", "x*sigmoid(2*x)", replace=True)
    assert symact.kernel("act_seen", backend="numpy")(1.0) != k(1.0)
