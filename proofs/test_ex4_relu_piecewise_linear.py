"""Exercise 4 of d2l.ai 5.1: ReLU and pReLU networks are continuous and piecewise linear, with exact pieces.

The statements live in ``symact.chapter.ex4_relu_piecewise_linear`` (section 'pieces')
so that ``symact check`` and the notes use the same objects; this file checks each one as its own test.
"""

import pytest

from symact.chapter.registry import section
from symact.testing.assertions import assert_theorem


@pytest.mark.parametrize("theorem", section("pieces"), ids=lambda t: t.name)
def test_theorem(theorem):
    assert_theorem(theorem)
