"""Exercise 2 of d2l.ai 5.1: the derivative of pReLU, its one-sided derivatives at 0 and the frameworks' convention.

The statements live in ``symact.chapter.ex2_prelu_derivative`` (section 'prelu')
so that ``symact check`` and the notes use the same objects; this file checks each one as its own test.
"""

import pytest

from symact.chapter.registry import section
from symact.testing.assertions import assert_theorem


@pytest.mark.parametrize("theorem", section("prelu"), ids=lambda t: t.name)
def test_theorem(theorem):
    assert_theorem(theorem)
