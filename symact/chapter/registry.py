"""The chapter's theorems in one registry: every exercise's theorems in order, and the ways to look them up.

Each exercise module (``ex1_linear_depth`` ... ``xor_and_depth``) declares its section and its
theorems; ``proofs/`` runs each theorem as one pytest test, and ``symact check`` and
``symact.render.notes`` use the same objects, so they work from an installed package. Sections
follow the seed exercises of d2l.ai 5.1.

>>> [s for s in SECTIONS][:3]
['linear', 'prelu', 'swish']
>>> get('tanh_plus_one').run().status
'proved'
"""

from __future__ import annotations

from collections.abc import Iterable

from symact.chapter import (
    derivative_facts,
    ex1_linear_depth,
    ex2_prelu_derivative,
    ex3_swish_derivative,
    ex4_relu_piecewise_linear,
    ex5_tanh_sigmoid,
    ex6_batch_norm,
    ex7_vanishing_gradients,
    xor_and_depth,
)
from symact.chapter.theorem import Theorem
from symact.errors import ParameterError, UnknownTheorem
from symact.proof import Proof

__all__ = ["Theorem", "THEOREMS", "SECTIONS", "get", "section", "select", "run_all"]

_EXERCISES = (
    ex1_linear_depth,
    ex2_prelu_derivative,
    ex3_swish_derivative,
    ex4_relu_piecewise_linear,
    ex5_tanh_sigmoid,
    ex6_batch_norm,
    ex7_vanishing_gradients,
    derivative_facts,
    xor_and_depth,
)

SECTIONS: dict[str, str] = {module.SECTION: module.TITLE for module in _EXERCISES}

THEOREMS: tuple[Theorem, ...] = tuple(t for module in _EXERCISES for t in module.THEOREMS)


def get(name: str) -> Theorem:
    """The theorem called ``name``.

    >>> get('xor_two_relu_units').section
    'newer'
    """
    for t in THEOREMS:
        if t.name == name:
            return t
    raise UnknownTheorem(name, [t.name for t in THEOREMS])


def section(key: str) -> list[Theorem]:
    """The theorems of one section, in order.

    >>> [t.name for t in section('prelu')]
    ['prelu_derivative']
    """
    if not isinstance(key, str) or key not in SECTIONS:
        raise UnknownTheorem(key, SECTIONS, "section")
    return [t for t in THEOREMS if t.section == key]


def select(names: Iterable[str] | None = None, activations: Iterable[str] | None = None) -> list[Theorem]:
    """Theorems by name or section key (``names``), or those concerning ``activations`` plus the general ones.

    With neither, every theorem. Unknown names raise ``UnknownTheorem`` with the closest names.

    >>> [t.name for t in select(['newer'])][:2]
    ['xor_two_relu_units', 'xor_one_relu_unit_impossible']
    >>> 'prelu_derivative' in [t.name for t in select(activations=['relu'])]
    False
    """
    if names is not None:
        known = [t.name for t in THEOREMS]
        chosen = set()
        for name in _listed(names, "names"):
            if isinstance(name, str) and name in SECTIONS:
                chosen.update(t.name for t in section(name))
            elif name in known:
                chosen.add(name)
            else:
                raise UnknownTheorem(name, [*SECTIONS, *known], "theorem or section")
        return [t for t in THEOREMS if t.name in chosen]
    if activations is not None:
        wanted = {a for a in _listed(activations, "activations") if isinstance(a, str)}
        return [t for t in THEOREMS if not t.activations or wanted & set(t.activations)]
    return list(THEOREMS)


def run_all(selected: Iterable[Theorem] | None = None) -> list[tuple[Theorem, Proof]]:
    """Every theorem (or the ``selected`` ones) with its proof, in order; each proof is computed once
    per theorem and kept (see ``Theorem.run``).

    >>> [(t.name, p.status) for t, p in run_all(section('prelu'))]
    [('prelu_derivative', 'proved')]
    """
    return [(t, t.run()) for t in (THEOREMS if selected is None else selected)]


def _listed(items: Iterable[str], what: str) -> list:
    """``items`` as a list: a ``ParameterError`` for one string or a non-iterable, which would not name theorems."""
    if isinstance(items, str) or not isinstance(items, Iterable):
        raise ParameterError("select", what, f"must be a list of names, not {items!r}")
    return list(items)
