"""The theorems of d2l.ai section 5.1, one registry, checked by ``proofs/``.

>>> from symact.chapter import section
>>> len(section('prelu')) > 0
True
"""

from symact.chapter.registry import SECTIONS, THEOREMS, Theorem, get, run_all, section, select

__all__ = ["Theorem", "THEOREMS", "SECTIONS", "get", "section", "select", "run_all"]
