"""The layout keeps its shape: imports flow one way between declared layers, with no cycle, no hidden
(function-level) import of symact's own modules outside the CLI, no private name borrowed from another
package, no submodule shadowed by a function, and no module over the size a reader takes in at once.

The graph is read from the source (every ``import`` node, at any depth), so a lazy import counts; one under
``if TYPE_CHECKING:`` at module level is a module-level import that never runs.
"""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import symact

PACKAGE = Path(symact.__file__).parent
MAX_LINES = 420

# Lowest first: a module may import from its own layer or below, never from above.
LAYERS = {
    "core": (
        "symact.version",
        "symact.errors",
        "symact.magnitude",
        "symact.recursion",
        "symact.steps",
        "symact.budget",
        "symact.precision",
        "symact.isolation",
        "symact.functions",
        "symact.catalog",
        "symact.whitelist",
        "symact.defined",
        "symact.grammar",
        "symact.parsing",
        "symact.kinks",
        "symact.numerics",
        "symact.tidy",
        "symact.piecewise",
        "symact.output_form",
        "symact.vector",
        "symact.derivation",
        "symact.linear",
        "symact.formula",
    ),
    "kernels": ("symact.kernels",),
    "proof": ("symact.proof",),
    "nn": ("symact.nn",),
    "testing": ("symact.testing",),
    "exporting": ("symact.exporting",),
    "analysis": ("symact.analysis",),
    "chapter": ("symact.chapter",),
    "render": ("symact.render",),
    "cli": ("symact.cli", "symact.__main__", "symact"),
}
RANK = {prefix: rank for rank, prefixes in enumerate(LAYERS.values()) for prefix in prefixes}
# the command line and the package load what a call needs when it runs; ``kernel()`` loads the symbolic core only
# for what the disk cache's index does not hold
LAZY_ALLOWED = {"symact.cli", "symact", "symact.kernels.api"}


def _modules() -> dict[str, Path]:
    """Every module of the package, by dotted name, from the files (nothing is imported)."""
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _layer(module: str) -> int:
    best = max((p for p in RANK if module == p or module.startswith(p + ".")), key=len, default=None)
    assert best is not None, f"{module} belongs to no layer: add it to LAYERS"
    return RANK[best]


def _package(module: str) -> str:
    """The subpackage a module belongs to (``symact`` for the flat core)."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or MODULES[module].name == "__init__.py" else "symact"


def _edges(module: str):
    """(imported module, names, line, at module level) for each import of a symact module."""
    path = MODULES[module]
    tree = ast.parse(path.read_text())
    typing_only = [n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"]
    top = set(map(id, tree.body + [node for block in typing_only for node in block.body]))  # names for type checkers
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{module}:{node.lineno}: use absolute imports"
            target = node.module or ""
            if target == "symact" or target.startswith("symact."):
                names = [a.name for a in node.names]
                subs = [f"{target}.{n}" for n in names if f"{target}.{n}" in MODULES]
                for sub in subs or [target]:
                    yield sub, [n for n in names if f"{target}.{n}" not in MODULES], node.lineno, id(node) in top
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("symact"):
                    yield alias.name, [], node.lineno, id(node) in top


GRAPH = {m: list(_edges(m)) for m in MODULES}


def test_every_module_has_a_layer():
    for module in MODULES:
        _layer(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_point_down(module):
    for target, _, line, _ in GRAPH[module]:
        assert target in MODULES, f"{module}:{line} imports {target}, which does not exist"
        assert _layer(target) <= _layer(module), f"{module}:{line} imports {target} from a higher layer"


def test_no_import_cycle():
    graph = {m: {t for t, *_ in GRAPH[m] if t != m} for m in MODULES}
    # a package's __init__ re-exports its own modules: that edge is a package's face, not a dependency
    graph = {
        m: {t for t in ts if not (MODULES[m].name == "__init__.py" and t.startswith(m + "."))}
        for m, ts in graph.items()
    }
    state: dict[str, int] = {}

    def visit(m, path):
        state[m] = 1
        for t in graph[m]:
            if state.get(t) == 1:
                cycle = path[path.index(t) :] + [t]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if t not in state:
                visit(t, path + [t])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_hidden_import_of_our_own_modules(module):
    if module in LAZY_ALLOWED:
        return
    hidden = [(t, line) for t, _, line, top in GRAPH[module] if not top]
    assert hidden == [], f"{module} imports symact modules inside functions: {hidden}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_private_name_crosses_a_package(module):
    for target, names, line, _ in GRAPH[module]:
        if _package(target) != _package(module):
            private = [n for n in names if n.startswith("_") and n != "__version__"]
            assert private == [], f"{module}:{line} borrows private {private} from {target}"


def test_no_submodule_is_shadowed():
    for name, path in MODULES.items():
        if path.name != "__init__.py":
            continue
        package = importlib.import_module(name)
        for info in pkgutil.iter_modules([str(path.parent)]):
            if info.name == "__main__":
                continue
            attr = getattr(package, info.name, None)
            assert attr is None or attr is importlib.import_module(f"{name}.{info.name}"), f"{name}.{info.name}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_short(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines; split it by job"
