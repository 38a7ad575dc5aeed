"""Exercise 6 of d2l.ai 5.1: a nonlinearity over the minibatch makes examples depend on each other.

The statements live in ``symact.chapter.ex6_batch_norm`` (section 'batch_norm')
so that ``symact check`` and the notes use the same objects; this file checks each one as its own test.
"""

import pytest

from symact.chapter.registry import section
from symact.testing.assertions import assert_theorem


@pytest.mark.parametrize("theorem", section("batch_norm"), ids=lambda t: t.name)
def test_theorem(theorem):
    assert_theorem(theorem)
