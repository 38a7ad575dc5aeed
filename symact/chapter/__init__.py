"""The theorems of d2l.ai section 5.1, one registry, checked by ``proofs/``.

>>> from symact.chapter import section
>>> len(section('prelu')) > 0
True
"""

from symact.chapter.registry import Theorem, THEOREMS, SECTIONS, get, section, select, run_all

__all__ = ["Theorem", "THEOREMS", "SECTIONS", "get", "section", "select", "run_all"]
