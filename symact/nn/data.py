"""The MLP's data checks: inputs as a finite 2-D float array, targets as class indices or real values.

>>> import numpy as np
>>> check_inputs([[1, 2]], 2, np.dtype('float64'))
array([[1., 2.]])
>>> encode_targets(['b', 'a', 'b'], 3, 'classification', 2, np.dtype('float64'))
(array([1, 0, 1]), array(['a', 'b'], dtype='<U1'))
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from symact.errors import DataError

__all__ = ["check_inputs", "encode_targets", "is_width", "widths"]


def check_inputs(X: npt.ArrayLike, n_in: int, dtype: np.dtype) -> np.ndarray:
    """X as a finite 2-D array of ``dtype`` with ``n_in`` features (any float width, bfloat16 too, cast to
    ``dtype``); ``DataError`` says what is wrong.

    >>> check_inputs([1.0, 2.0], 1, np.dtype('float64'))
    Traceback (most recent call last):
        ...
    symact.errors.DataError: X must be 2-D (samples, features), got shape (2,). Reshape your data: X.reshape(-1, 1) for 1-D data
    """
    if hasattr(X, "toarray"):  # a SciPy sparse matrix or array
        raise DataError("X is sparse; sparse input is not supported: pass X.toarray()")
    X = np.asarray(X)
    if X.dtype.kind == "c":
        raise DataError("Complex data not supported: X holds complex numbers")
    if X.dtype.kind == "O":  # numbers held as objects
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError):
            raise DataError("X must hold numbers, got an array of objects that are not") from None
    if X.dtype.kind == "V" and X.dtype.fields is None:  # bfloat16, float8 (ml_dtypes): their values as float64
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError):
            raise DataError(f"X must hold numbers, got an array of {X.dtype}") from None
    if X.dtype.kind not in "fiub":
        raise DataError(f"X must hold numbers, got an array of {X.dtype}")
    if X.ndim != 2:
        raise DataError(
            f"X must be 2-D (samples, features), got shape {X.shape}. Reshape your data: X.reshape(-1, 1) for 1-D data"
        )
    if X.shape[1] != n_in:
        raise DataError(f"X has {X.shape[1]} features, but MLP is expecting {n_in} features as input (sizes[0])")
    if X.shape[0] == 0:
        raise DataError("X has no samples")
    wide = X
    with np.errstate(over="ignore"):  # beyond float32's range: said below
        X = X.astype(dtype, copy=False)
    if not np.all(np.isfinite(X)):
        bad = tuple(np.argwhere(~np.isfinite(X))[0])
        if np.isfinite(wide[bad]):
            raise DataError(f"X holds {wide[bad]} (row {bad[0]}, column {bad[1]}), beyond {dtype}'s range; scale X")
        raise DataError(f"X holds NaN or inf (first at row {bad[0]}, column {bad[1]}); remove or impute it")
    return X


def encode_targets(
    y: npt.ArrayLike,
    n: int,
    task: str,
    n_out: int,
    dtype: np.dtype,
    classes: npt.ArrayLike | None = None,
    fitted: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray | None]:
    """The targets for ``n`` samples and the classes they index (None for regression).

    Class labels are mapped to indices into the sorted ``classes`` (given), else ``fitted`` (the
    classes already known), else the labels found in ``y``.

    >>> encode_targets([0.5, 1.5], 2, 'regression', 1, np.dtype('float64'))
    (array([[0.5],
           [1.5]]), None)
    """
    if y is None:
        raise DataError("MLP requires y to be passed, but the target y is None")
    y = np.asarray(y)
    if y.ndim == 0:
        raise DataError(f"y must hold one target per sample, got the scalar {y.item()!r}")
    if len(y) != n:
        raise DataError(f"X has {n} samples but y has {len(y)}; they must match")
    if task == "regression":
        if y.dtype.kind not in "fiub":
            raise DataError(f"regression targets must be numbers, got an array of {y.dtype}")
        T = y.reshape(n, -1).astype(dtype)
        if T.shape[1] != n_out:
            raise DataError(f"y has {T.shape[1]} targets per sample but the network has {n_out} outputs")
        if not np.all(np.isfinite(T)):
            raise DataError("y holds NaN or inf; remove those samples")
        return T, None
    if y.ndim != 1:
        raise DataError(f"class labels must be 1-D, got shape {y.shape}")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)) or np.any(y != np.round(y)):
            raise DataError(
                "class labels are floats with fractions, NaN or inf (a continuous target); pass integer or string labels, "
                "or use task='regression' for real-valued targets"
            )
        if np.all(np.abs(y) < 2.0**63):  # else the labels stay floats (int64 does not hold them)
            y = y.astype(np.int64)
    elif y.dtype.kind not in "iubUS":
        kinds = sorted({type(v).__name__ for v in y.tolist()})
        if y.dtype.kind != "O" or len(kinds) != 1 or kinds[0] not in ("str", "int", "bool"):
            raise DataError(f"class labels must be integers or strings, got {', '.join(kinds)}")
    found = np.unique(y)
    if classes is not None:
        known = np.unique(np.asarray(classes))
    elif fitted is not None:
        known = fitted
    else:
        known = found
    if len(known) > n_out:
        raise DataError(f"y has {len(known)} classes but the network has {n_out} outputs; set sizes[-1] = {len(known)}")
    missing = np.setdiff1d(found, known)
    if len(missing):
        raise DataError(f"y holds labels {missing[:5].tolist()} that are not among the classes {known.tolist()}")
    return np.searchsorted(known, y), known


def is_width(size: object, end: bool) -> bool:
    """A layer width: a positive integer, or None at either end (taken from the data).

    >>> is_width(None, end=True), is_width(None, end=False), is_width(True, end=False)
    (True, False, False)
    """
    if size is None:
        return end
    return isinstance(size, (int, np.integer)) and not isinstance(size, bool) and size > 0


def widths(X: npt.ArrayLike, y: npt.ArrayLike, task: str, classes: npt.ArrayLike | None = None) -> tuple[int, int]:
    """The data's widths: its features, and its classes (at least 2) or its targets per sample.

    >>> widths([[1, 2, 3]], ['a'], 'classification'), widths([[1]], [[1, 2]], 'regression')
    ((3, 2), (1, 2))
    """
    shape = np.asarray(X).shape
    if len(shape) == 2 and shape[1] == 0:
        raise DataError(f"0 feature(s) (shape={shape}) while a minimum of 1 is required.")
    n_in = shape[1] if len(shape) == 2 else 1  # other shapes: check_inputs says what is wrong
    if task == "regression":
        return n_in, int(np.prod(np.shape(y)[1:], dtype=int))
    try:
        return n_in, max(2, len(np.unique(np.asarray(y if classes is None else classes))))
    except TypeError:  # labels that do not sort: encode_targets says what is wrong
        return n_in, 2
