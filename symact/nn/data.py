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

__all__ = ["check_inputs", "encode_targets"]


def check_inputs(X: npt.ArrayLike, n_in: int, dtype: np.dtype) -> np.ndarray:
    """X as a finite 2-D array of ``dtype`` with ``n_in`` features; ``DataError`` says what is wrong.

    >>> check_inputs([1.0, 2.0], 1, np.dtype('float64'))
    Traceback (most recent call last):
        ...
    symact.errors.DataError: X must be 2-D (samples, features), got shape (2,); reshape 1-D data with X.reshape(-1, 1)
    """
    X = np.asarray(X)
    if X.dtype.kind not in "fiub":
        raise DataError(f"X must hold numbers, got an array of {X.dtype}")
    if X.ndim != 2:
        raise DataError(
            f"X must be 2-D (samples, features), got shape {X.shape}; reshape 1-D data with X.reshape(-1, 1)"
        )
    if X.shape[1] != n_in:
        raise DataError(f"X has {X.shape[1]} features but the network takes {n_in} (sizes[0])")
    if X.shape[0] == 0:
        raise DataError("X has no samples")
    X = X.astype(dtype, copy=False)
    if not np.all(np.isfinite(X)):
        bad = np.argwhere(~np.isfinite(X))[0]
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
    y = np.asarray(y)
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
                "class labels are floats with fractions, NaN or inf; pass integer or string labels, "
                "or use task='regression' for real-valued targets"
            )
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
