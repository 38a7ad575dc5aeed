"""From the newer revision of d2l.ai 5.1: XOR needs two hidden ReLU units, and depth multiplies linear pieces.

The statements live in ``symact.chapter.xor_and_depth`` (section 'newer')
so that ``symact check`` and the notes use the same objects; this file checks each one as its own test.
"""

import pytest

from symact.chapter.registry import section
from symact.testing.assertions import assert_theorem


@pytest.mark.parametrize("theorem", section("newer"), ids=lambda t: t.name)
def test_theorem(theorem):
    assert_theorem(theorem)
