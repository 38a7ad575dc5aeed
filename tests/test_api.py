"""The public API is small and importable, and imports flow one way: catalog -> derive -> compile -> consumers."""

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


def _imports(module: str) -> set[str]:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {alias.name for alias in node.names}
    return found


def test_imports_flow_one_way():
    assert _imports("functions") == set()
    assert _imports("catalog") <= {"errors", "functions", "parse"}  # parse only lazily, inside define()
    assert "compile" not in _imports("derive") and "compile" not in _imports("kinks")
    for module in (p.stem for p in PACKAGE.glob("*.py")):
        if module not in ("__main__",):
            assert "cli" not in _imports(module), module


def test_import_does_not_load_optional_packages():
    import subprocess
    import sys

    code = "import sys, symact; print(sorted(m for m in ('matplotlib', 'torch', 'sklearn', 'jax') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent, check=True)
    assert out.stdout.strip() == "[]"
