"""The public API is small and importable; ``import symact`` loads no optional package."""

import ast
import importlib
from pathlib import Path

import symact

PACKAGE = Path(symact.__file__).parent


def test_every_public_name_imports():
    for name in symact.__all__:
        assert getattr(symact, name) is not None, name
    assert len(set(symact.__all__)) == len(symact.__all__)


def test_init_holds_imports_all_and_the_lazy_loader_only():
    tree = ast.parse((PACKAGE / "__init__.py").read_text())
    kinds = {type(node).__name__ for node in tree.body}
    assert kinds <= {"Expr", "Import", "ImportFrom", "Assign", "If", "FunctionDef"}
    typed = {
        alias.name: node.module
        for node in ast.walk(tree.body[[type(n).__name__ for n in tree.body].index("If")])
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == symact._HOMES  # what type checkers see is what the loader imports
    assert set(symact.__all__) <= set(symact._HOMES) | {"SymactError"}
    assert all(getattr(symact, name) is getattr(importlib.import_module(home), name) for name, home in typed.items())


def test_import_symact_is_light_and_a_kernel_imports_no_prover():
    import subprocess
    import sys

    code = (
        "import sys, symact; before = {'sympy', 'numpy'} & set(sys.modules); symact.kernel\n"
        "print(sorted(before), sorted(m for m in ('symact.proof', 'symact.analysis', 'symact.nn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent, check=True)
    assert out.stdout.strip() == "[] []"


def test_import_does_not_load_optional_packages():
    import subprocess
    import sys

    optional = ("matplotlib", "torch", "sklearn", "jax", "scipy", "numba")  # scipy: 0.4 s, loaded by erf's first call
    code = f"import sys, symact; print(sorted(m for m in {optional!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent, check=True)
    assert out.stdout.strip() == "[]"


def test_a_repeated_kernel_call_resolves_nothing_until_a_name_is_redefined(monkeypatch):
    import pytest

    from symact.kernels import build

    symact.define("act_seen", "x*sigmoid(x)")
    k, user = symact.kernel("act_seen", backend="numpy"), symact.kernel("silu", backend="numpy", kink="mean")
    monkeypatch.setattr(build, "resolve", lambda *args: pytest.fail("resolved again"))
    assert symact.kernel("act_seen", backend="numpy") is k
    assert symact.kernel("silu", backend="numpy", kink="mean") is user
    monkeypatch.undo()
    symact.define("act_seen", "x*sigmoid(2*x)", replace=True)
    assert symact.kernel("act_seen", backend="numpy")(1.0) != k(1.0)
