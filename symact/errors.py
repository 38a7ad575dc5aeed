"""One error family for symact: every bad input raises a ``SymactError``.

>>> from symact.errors import UnknownActivation
>>> try:
...     raise UnknownActivation('swissh', ['swish', 'silu'])
... except SymactError as err:
...     print(err)
unknown activation 'swissh'; did you mean 'swish'?
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

__all__ = [
    "SymactError",
    "UnknownActivation",
    "UnknownTheorem",
    "ParseError",
    "ParameterError",
    "ProofTimeout",
    "UndecidedSign",
    "DataError",
    "NotFitted",
    "TrainingDiverged",
    "ExportFailed",
    "closest",
]


class SymactError(Exception):
    """Base class of every error symact raises on bad input."""

    def __reduce__(self):  # pickled as it is (to and from worker processes), whatever its __init__ takes
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(kind: type, args: tuple, state: dict) -> SymactError:
    error = kind.__new__(kind)  # the class's own __new__ (OSError's, for ProofTimeout), without its __init__
    error.args = args
    error.__dict__.update(state)
    return error


def closest(word: str, choices: Iterable[str], n: int = 3) -> list[str]:
    """The names in ``choices`` closest to ``word``, best first.

    >>> closest('sigmod', ['sigmoid', 'tanh', 'softsign'])
    ['sigmoid']
    """
    if not isinstance(word, str):
        return []
    cutoff = 0.6
    # difflib's first test (``real_quick_ratio``) rejects a choice whose length is too far from the word's; it is
    # applied here first, so that a long word (a megabyte of pasted text) costs nothing where nothing can match
    near = [c for c in choices if 2 * min(len(c), len(word)) >= cutoff * (len(c) + len(word))]
    return difflib.get_close_matches(word, near, n=n, cutoff=cutoff) if near else []


def _suggest(word: str, choices: Iterable[str]) -> str:
    names = closest(word, choices)
    if not names:
        return ""
    return "; did you mean " + " or ".join(repr(name) for name in names) + "?"


_SHOWN = 200  # characters of an unknown name that its error repeats


class UnknownActivation(SymactError, KeyError):
    """An activation name that is not in the catalog."""

    def __init__(self, name: str, choices: Iterable[str]):
        self.name = name
        self.suggestions = closest(name, choices)
        if (
            isinstance(name, str) and len(name) > _SHOWN
        ):  # pasted text, not a name: no hint, and the message shows its start
            super().__init__(f"unknown activation {name[:_SHOWN]!r}... ({len(name)} characters)")
            return
        product = re.sub(r"(?<![A-Za-z_\d.])(\d+(?:\.\d*)?)(?=[A-Za-z_(])", r"\1*", str(name))
        hint = f"; for a product write {product!r}" if product != name else _suggest(name, choices)
        super().__init__(f"unknown activation {name!r}{hint}")

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class UnknownTheorem(SymactError, KeyError):
    """A theorem or section name that ``symact.chapter`` does not have."""

    def __init__(self, name: str, choices: Iterable[str], what: str = "theorem"):
        self.name = name
        self.suggestions = closest(name, choices)
        super().__init__(f"unknown {what} {name!r}{_suggest(name, choices)}")

    def __str__(self) -> str:
        return self.args[0]


class ParseError(SymactError, ValueError):
    """A string that is not a valid expression; ``position`` points at the culprit."""

    def __init__(self, message: str, text: str = "", position: int | None = None):
        self.text = text
        self.position = position
        if position is not None and text and len(text) <= 200:
            message = f"{message}\n  {text}\n  {' ' * position}^"
        elif position is not None:
            message = f"{message} (at position {position})"
        super().__init__(message)


class ParameterError(SymactError, ValueError):
    """A parameter name or value an activation does not accept."""

    def __init__(self, activation: str, parameter: str, problem: str, choices: Iterable[str] = ()):
        self.activation = activation
        self.parameter = parameter
        super().__init__(f"{activation}: parameter {parameter!r} {problem}{_suggest(parameter, choices)}")


class ProofTimeout(SymactError, TimeoutError):
    """A symbolic computation ran past its time budget."""


class DataError(SymactError, ValueError):
    """Training or prediction data that an MLP cannot use."""


class NotFitted(SymactError, ValueError, AttributeError):
    """A model asked to predict before it was trained (as scikit-learn's ``NotFittedError``)."""


class TrainingDiverged(SymactError, ArithmeticError):
    """The training loss of an MLP became NaN or infinite."""


class ExportFailed(SymactError, ArithmeticError):
    """An exported activation that disagrees with symact's kernel or fails the framework's gradient checks."""


class TooLarge(SymactError, OverflowError):
    """A number too large to evaluate (``symact.magnitude``): x**x**x**x at 3, exp(exp(exp(exp(3))))."""


class UndecidedSign(SymactError):
    """A sign that neither an exact zero test nor accuracy-tracked evaluation could settle."""

    def __init__(self, value):
        self.value = value
        super().__init__(f"the sign of {value} could not be certified (exactly zero, or too close to zero to tell)")
