"""A guard counts Python calls exactly (generator resumptions included), and nests and re-arms as documented."""

import sys
import weakref

import pytest

from symact.budget import StepLimit, guard


def _work(n, done):
    done.append(n)


def _numbers(count):
    yield from range(count)


def test_the_step_bound_ends_at_exactly_the_call_past_it():
    for steps in (1, 63, 64, 65, 200):
        done = []
        with pytest.raises(StepLimit), guard(steps):
            for n in range(1000):
                _work(n, done)
        assert done == list(range(steps))


def test_a_generator_resuming_counts_a_step_but_never_raises():
    done = []
    with pytest.raises(StepLimit), guard(51):  # calls: the generator starts, then _work and a resumption by turns
        for n in _numbers(1000):
            _work(n, done)
    assert done == list(range(25))  # call 52, not the resumption at 51, is the first to raise


def test_a_nested_guard_counts_its_own_steps_and_gives_the_outer_hook_back():
    done = []
    with guard(10**6):
        outer = sys.getprofile()
        with pytest.raises(StepLimit), guard(30):
            for n in range(1000):
                _work(n, done)
        assert sys.getprofile() is outer and done == list(range(30))
    assert sys.getprofile() is None


def test_a_swallowed_step_limit_comes_back_at_the_next_call():
    done, swallowed = [], 0
    with guard(40):
        for n in range(100):  # library code that catches every Exception, as SymPy does in places
            try:
                _work(n, done)
            except Exception:
                swallowed += 1
    assert done == list(range(40)) and swallowed == 60


class _Thing:
    pass


def test_numbas_weak_reference_callback_runs_to_its_end_past_the_bound():
    """An exception raised in a weak reference's callback is lost (Python prints it and goes on): numba's
    ``on_disposal(wr, ...)`` lost its clean-up that way when an export ran past its budget. Past the bound it runs
    to its end; the next call raises."""
    done = []

    def on_disposal(ref, log=done):
        _work("disposed", log)

    thing = _Thing()
    ref = weakref.ref(thing, on_disposal)
    with pytest.raises(StepLimit), guard(2):
        try:
            for n in range(10):
                _work(n, done)
        except StepLimit:
            pass  # swallowed: the hook comes back at the next call
        del thing  # the callback runs here, past the bound
        _work("after", done)
    assert done == [0, 1, "disposed"] and ref() is None
