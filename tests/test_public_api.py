"""Every public member says what it does and what it takes: a docstring on each function, class, method and
property that a package's ``__all__`` exports, and type hints on every public signature."""

import importlib
import inspect
import pkgutil

import pytest

import symact

# SymPy's protocol methods (fdiff, eval, ...) on the named functions are documented by SymPy.
SYMPY_PROTOCOL = {"fdiff", "eval", "inverse", "as_base_exp"}


def _public_modules():
    yield symact
    for info in pkgutil.walk_packages(symact.__path__, "symact."):
        if info.name.rpartition(".")[2].startswith("_"):
            continue
        yield importlib.import_module(info.name)


def _members():
    seen = set()
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name)
            if id(obj) in seen or not (inspect.isclass(obj) or inspect.isfunction(obj)):
                continue
            seen.add(id(obj))
            yield f"{obj.__module__}.{obj.__qualname__}", obj
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                for attr, member in vars(obj).items():
                    if attr.startswith("_") or attr in SYMPY_PROTOCOL:
                        continue
                    if isinstance(member, (staticmethod, classmethod)):
                        member = member.__func__
                    if isinstance(member, property) or inspect.isfunction(member):
                        yield f"{obj.__module__}.{obj.__qualname__}.{attr}", member


MEMBERS = dict(_members())


@pytest.mark.parametrize("name", sorted(MEMBERS))
def test_public_member_has_a_docstring(name):
    member = MEMBERS[name]
    doc = (member.fget if isinstance(member, property) else member).__doc__
    assert doc and doc.strip(), f"{name} needs a docstring"


@pytest.mark.parametrize("name", sorted(n for n, m in MEMBERS.items() if inspect.isfunction(m)))
def test_public_function_is_typed(name):
    signature = inspect.signature(MEMBERS[name])
    untyped = [
        p.name
        for p in signature.parameters.values()
        if p.annotation is inspect.Parameter.empty and p.name not in ("self", "cls")
    ]
    assert untyped == [], f"{name}: parameters without a type hint: {untyped}"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name} needs a return type"
