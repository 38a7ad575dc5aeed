"""Exercise 1 of d2l.ai 5.1: adding linear layers never adds expressive power, and a bottleneck removes some.

The statements live in ``symact.chapter.ex1_linear_depth`` (section 'linear')
so that ``symact check`` and the notes use the same objects; this file checks each one as its own test.
"""

import pytest

from symact.chapter.registry import section
from symact.testing.assertions import assert_theorem


@pytest.mark.parametrize("theorem", section("linear"), ids=lambda t: t.name)
def test_theorem(theorem):
    assert_theorem(theorem)
