"""Exercise 3 of d2l.ai 5.1: the derivative of Swish x sigmoid(beta x), and its limits in beta.

The statements live in ``symact.chapter.ex3_swish_derivative`` (section 'swish')
so that ``symact check`` and the notes use the same objects; this file checks each one as its own test.
"""

import pytest

from symact.chapter.registry import section
from symact.testing.assertions import assert_theorem


@pytest.mark.parametrize("theorem", section("swish"), ids=lambda t: t.name)
def test_theorem(theorem):
    assert_theorem(theorem)
