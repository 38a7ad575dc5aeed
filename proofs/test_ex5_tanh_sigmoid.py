"""Exercise 5 of d2l.ai 5.1: tanh(x) + 1 = 2 sigmoid(2x), and tanh and sigmoid networks are interchangeable.

The statements live in ``symact.chapter.ex5_tanh_sigmoid`` (section 'tanh_sigmoid')
so that ``symact check`` and the notes use the same objects; this file checks each one as its own test.
"""

import pytest

from symact.chapter.registry import section
from symact.testing.assertions import assert_theorem


@pytest.mark.parametrize("theorem", section("tanh_sigmoid"), ids=lambda t: t.name)
def test_theorem(theorem):
    assert_theorem(theorem)
