"""Exercise 7 of d2l.ai 5.1: sigmoid' <= 1/4, and gradients through sigmoid layers vanish.

The statements live in ``symact.chapter.ex7_vanishing_gradients`` (section 'vanishing')
so that ``symact check`` and the notes use the same objects; this file checks each one as its own test.
"""

import pytest

from symact.chapter.registry import section
from symact.testing.assertions import assert_theorem


@pytest.mark.parametrize("theorem", section("vanishing"), ids=lambda t: t.name)
def test_theorem(theorem):
    assert_theorem(theorem)
