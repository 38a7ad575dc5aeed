"""The derivative facts of d2l.ai 5.1: sigmoid', tanh', relu' at 0, softmax cross-entropy, analytic vs numerical.

The statements live in ``symact.chapter.derivative_facts`` (section 'derivatives')
so that ``symact check`` and the notes use the same objects; this file checks each one as its own test.
"""

import pytest

from symact.chapter.registry import section
from symact.testing.assertions import assert_theorem


@pytest.mark.parametrize("theorem", section("derivatives"), ids=lambda t: t.name)
def test_theorem(theorem):
    assert_theorem(theorem)
