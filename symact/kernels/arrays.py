"""What a kernel call takes and gives, on either backend: the input as a float array, ``out=`` and ``where=``.

x is anything NumPy reads as an array of real numbers: floats of any width and byte order, integers and booleans
(as float64), Python scalars and nested lists; a result has x's float dtype (native byte order), float64 for
integers and booleans, and is a NumPy scalar for a scalar x. Complex, object, string and ragged input is a
``ParameterError``. A kernel computes into fresh arrays of its own and then writes ``out`` with what the call
without ``out`` returns, as ``np.copyto`` does (x's shape broadcast into it, cast ``same_kind``, ``where``
choosing the elements). So any layout of x and of ``out`` (strided, reversed, a column, unaligned, byte-swapped,
overlapping x, another float dtype) gives the same values, and nothing outside ``out`` is written; the fused
backend writes ``out`` directly only where ``in_place`` allows it. An ``out`` that is read-only, that x's shape
does not broadcast to, that has two elements in one place (a stride-0 view), or (``value_and_grad``) two arrays
sharing memory is a ``ParameterError``, written not at all. A masked array gives masked results
(``symact.kernels.base.Kernel``); another NumPy subclass computes as its ndarray.

>>> import numpy as np
>>> array, dtype, scalar = as_input([1, 2])
>>> array.dtype, dtype, scalar
(dtype('float64'), dtype('float64'), False)
>>> o = np.zeros(6)
>>> deliver((array * 2,), dtype, scalar, check_outs(array.shape, o[::-3], True), True)[0] is not None
True
>>> o.tolist()
[0.0, 0.0, 4.0, 0.0, 0.0, 2.0]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from symact.errors import ParameterError

__all__ = ["as_input", "extension_float", "check_outs", "in_place", "deliver", "plain_outs"]


def as_input(values: ArrayLike, owner: str = "kernel", name: str = "x") -> tuple[np.ndarray, np.dtype, bool]:
    """x as a float array (integers and booleans as float64), the dtype results take, and whether x was a scalar.

    bfloat16 and other extension floats compute in float64 and are rounded once; a byte-swapped float array
    computes as the native one and gives native results (as NumPy's ufuncs). A nested list that is not an array
    (ragged) is a ``ParameterError`` of ``owner``'s parameter ``name``.

    >>> as_input(np.array([1.5], dtype='>f4'))[1]
    dtype('float32')
    """
    try:
        array = np.asarray(values)
    except (ValueError, TypeError) as err:  # a ragged nested sequence
        raise ParameterError(owner, name, f"must be real numbers in an array's shape ({err})") from None
    if array.dtype.kind not in "fiub":
        return extension_float(array, owner, name), array.dtype, _is_scalar(values)
    if array.dtype.kind != "f":
        return array.astype(np.float64), np.dtype(np.float64), _is_scalar(values)
    if not array.dtype.isnative:
        array = array.astype(array.dtype.newbyteorder("="))
    return array, array.dtype, _is_scalar(values)


def _is_scalar(values) -> bool:
    return np.ndim(values) == 0 and not isinstance(values, np.ndarray)


def extension_float(array: np.ndarray, owner: str = "kernel", name: str = "x") -> np.ndarray:
    """An extension float array (bfloat16, float8 of ml_dtypes) as float64 holding the same values, else an error.

    >>> extension_float(np.array(['a']))
    Traceback (most recent call last):
    symact.errors.ParameterError: kernel: parameter 'x' must be real numbers, got an array of <U1
    """
    problem = f"must be real numbers, got an array of {array.dtype}"
    if array.dtype.kind == "O" and any(type(v) is int for v in array.flat):  # NumPy's ufuncs refuse them too
        problem = "must be real numbers NumPy holds: an integer beyond int64 (2**70) is not; give float(x)"
    if array.dtype.kind != "V" or array.dtype.fields is not None:
        raise ParameterError(owner, name, problem)
    try:
        with np.errstate(all="ignore"):
            wide = array.astype(np.float64)
            exact = np.array_equal(wide.astype(array.dtype).astype(np.float64), wide, equal_nan=True)
    except (TypeError, ValueError):
        exact = False
    if not exact:
        raise ParameterError(owner, name, f"{problem}, which does not convert exactly to float64")
    return wide


def check_outs(shape: tuple, out: np.ndarray | tuple | None, where: ArrayLike, count: int = 1) -> tuple | None:
    """``out`` (an array, or a tuple of ``count`` arrays, a 1-tuple too) as a tuple, checked: writable float arrays that x's
    ``shape`` broadcasts to, none with two elements in one place (a stride-0 view) and none sharing memory with
    another; ``where`` a boolean mask, which needs ``out``.

    >>> pair = np.zeros(3)
    >>> check_outs((3,), (pair, pair), True, 2)
    Traceback (most recent call last):
    symact.errors.ParameterError: kernel: parameter 'out' has arrays that share memory: each result needs its own
    """
    if out is None:
        if where is not True:
            raise ParameterError("kernel", "where", "needs out= (the elements it leaves alone)")
        return None
    outs = tuple(out) if isinstance(out, tuple) or (count > 1 and isinstance(out, list)) else (out,)
    if len(outs) != count:
        raise ParameterError("kernel", "out", f"must be a tuple of {count} arrays, got {type(out).__name__}")
    for o in outs:
        if not (isinstance(o, np.ndarray) and _takes_floats(o.dtype) and _fits(shape, o.shape)):
            got = f"{o.dtype} {o.shape}" if isinstance(o, np.ndarray) else type(o).__name__
            raise ParameterError(
                "kernel", "out", f"must be a float array that x's shape {shape} broadcasts to, got {got}"
            )
        if not o.flags.writeable:
            raise ParameterError("kernel", "out", "is read-only")
        if _overlaps_itself(o):
            raise ParameterError("kernel", "out", "has elements that share memory (a stride-0 or broadcast view)")
    if any(np.shares_memory(o, p) for i, o in enumerate(outs) for p in outs[:i]):
        raise ParameterError("kernel", "out", "has arrays that share memory: each result needs its own")
    if where is not True and not (
        np.asarray(where).dtype == bool and all(_fits(np.shape(where), o.shape) for o in outs)
    ):
        shapes = " and ".join(str(o.shape) for o in outs)
        raise ParameterError("kernel", "where", f"must be a boolean mask that broadcasts to {shapes}")
    return outs


def _overlaps_itself(o: np.ndarray) -> bool:
    """Whether two elements of ``o`` share a byte (a stride-0 view, rows that overlap).

    >>> _overlaps_itself(np.lib.stride_tricks.as_strided(np.zeros(6), (3, 2), (16, 24)))  # interleaved, apart
    False
    """
    axes = sorted((abs(s), n) for n, s in zip(o.shape, o.strides) if n > 1)
    if not o.size or not axes:
        return False
    if axes[0][0] == 0:
        return True
    span = o.itemsize
    for step, n in axes:  # each step past the span of the shorter ones: apart (the usual layouts)
        if step < span:
            break
        span += step * (n - 1)
    else:
        return False
    offsets = np.zeros(1, np.int64)  # an interleaved layout: its elements' byte offsets decide
    for step, n in axes:
        offsets = (offsets[:, None] + step * np.arange(n)).ravel()
    offsets.sort()
    return bool((np.diff(offsets) < o.itemsize).any())


def _takes_floats(dtype: np.dtype) -> bool:
    """A float or complex dtype, or an extension float (bfloat16, float8 of ml_dtypes)."""
    extension = dtype.kind == "V" and dtype.fields is None and np.can_cast(np.float64, dtype, "same_kind")
    return dtype.kind in "fc" or extension


def _fits(shape: tuple, target: tuple) -> bool:
    if shape == target:  # the common case, without broadcast_shapes' cost
        return True
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def in_place(array: np.ndarray, outs: tuple | None, where: ArrayLike) -> bool:
    """Whether a loop over flat contiguous arrays may write ``outs`` directly: every one C-contiguous and aligned
    (a compiled loop may assume its elements' alignment), of x's dtype and shape, no ``where``, and none overlapping another or x (unless it is x itself, element for element).
    """
    if outs is None or where is not True or not (array.flags.c_contiguous and array.flags.aligned):
        return False
    for i, o in enumerate(outs):
        if not (o.flags.c_contiguous and o.flags.aligned and o.dtype == array.dtype and o.shape == array.shape):
            return False
        if np.may_share_memory(o, array) and not _same_memory(o, array):
            return False
        if any(np.may_share_memory(o, other) for other in outs[:i]):
            return False
    return True


def _same_memory(a: np.ndarray, b: np.ndarray) -> bool:
    return a.__array_interface__["data"][0] == b.__array_interface__["data"][0]


def deliver(results: tuple, dtype: np.dtype, scalar: bool, outs: tuple | None, where: ArrayLike) -> tuple:
    """The call's return values from ``results`` (x's shape, computed in fresh arrays, or ``outs`` themselves
    where they have ``dtype``): cast to ``dtype``, then written into ``outs`` where given (the arrays themselves
    returned), else a scalar for a scalar x."""
    with np.errstate(all="ignore"):  # float16 and bfloat16 overflow where the function exceeds their range
        if any(r.dtype != dtype for r in results):
            results = tuple(r if r.dtype == dtype else r.astype(dtype) for r in results)
        if outs is not None:  # what the call without out gives, cast as np.copyto casts (as NumPy's ufuncs do)
            for o, r in zip(outs, results):
                if r is not o:
                    np.copyto(o, r, casting="same_kind", where=where)
            return outs
    return tuple(r[()] for r in results) if scalar else results


_PLAIN = (np.dtype(np.float32), np.dtype(np.float64))


def plain_outs(values: ArrayLike, out: np.ndarray | tuple | None, where: ArrayLike, nout: int) -> tuple | None:
    """The arrays a plain call writes: x a C-contiguous, aligned float32 or float64 ndarray, no ``where``, and ``out``
    None (fresh arrays) or ``nout`` C-contiguous writable arrays of x's dtype and shape, each x itself or apart
    from x and from each other. None for any other call, which the functions above check and convert."""
    if type(values) is not np.ndarray or values.dtype not in _PLAIN or where is not True:
        return None
    if not (values.flags.c_contiguous and values.flags.aligned):
        return None
    if out is None:
        return tuple(np.empty_like(values) for _ in range(nout))
    outs = (out,) if nout == 1 and type(out) is not tuple else out  # a 1-tuple too, as NumPy's ufuncs take
    if type(outs) is not tuple or len(outs) != nout:
        return None
    for i, o in enumerate(outs):
        if type(o) is not np.ndarray or o.dtype != values.dtype or o.shape != values.shape:
            return None
        if not (o.flags.c_contiguous and o.flags.writeable and o.flags.aligned):
            return None
        if (o is not values and np.may_share_memory(o, values)) or any(np.may_share_memory(o, p) for p in outs[:i]):
            return None
    return outs
