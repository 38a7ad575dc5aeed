"""An independent guard: every *proved* property value checked against a dense mpmath evaluation.

The reference is an mpmath function written by hand (never derived from symact's parser or its
SymPy form); f' comes from ``mpmath.diff`` of that reference. A wrong proof shows up as a value
the samples contradict: points of [-50, 50] on a fine grid, near 0 and out to 1e8 in the tails.
"""

import mpmath
import sympy as sp

_GRID = sorted(
    {mpmath.mpf(i) / 40 for i in range(-2000, 2001)}
    | {s * mpmath.mpf(10) ** (k / 4) for s in (-1, 1) for k in range(-40, 33)}
)
_TAILS = sorted(s * mpmath.mpf(10) ** k for s in (-1, 1) for k in (3, 4, 6, 8))


def _num(v) -> mpmath.mpf:
    return mpmath.mpf(str(sp.N(v, 40)))


def _values(ref, points):
    out = []
    for t in points:
        try:
            v = mpmath.mpmathify(ref(t))
        except (ZeroDivisionError, ValueError, OverflowError):
            continue
        if isinstance(v, mpmath.mpf) and mpmath.isfinite(v):
            out.append((t, v))
    return out


def _slope(ref, t):
    """f'(t) by a central difference at 40 digits, or None next to a kink (the one-sided slopes differ)."""
    h, k = mpmath.mpf("1e-12"), mpmath.mpf("1e-24")
    left = (ref(t) - ref(t - k)) / k
    right = (ref(t + k) - ref(t)) / k
    if abs(left - right) > mpmath.mpf("1e-6") * (1 + abs(left)):
        return None
    return (ref(t + h) - ref(t - h)) / (2 * h)


def check_proved(p, ref) -> list[str]:
    """The proved values of ``p`` (a ``Properties``) that the reference contradicts, as messages."""
    bad = []
    with mpmath.workdps(40):
        grid = _values(ref, _GRID)
        tails = _values(ref, _TAILS)
        values = [v for _, v in grid + tails]
        for name, prop in p.items():
            if not prop.proved or prop.value is None:
                continue
            v = prop.value
            msg = _check(name, v, prop, ref, grid, tails, values)
            if msg:
                bad.append(f"{name} = {v}: {msg}")
    return bad


def _tol(v) -> mpmath.mpf:
    return mpmath.mpf("1e-15") * (1 + abs(v))


def _check(name, v, prop, ref, grid, tails, values):  # noqa: C901 - one branch per property
    if name in ("minimum", "maximum") and v not in (sp.oo, -sp.oo):
        m = _num(v)
        if name == "minimum" and min(values) < m - _tol(m):
            return f"f = {mpmath.nstr(min(values), 15)} below it"
        if name == "maximum" and max(values) > m + _tol(m):
            return f"f = {mpmath.nstr(max(values), 15)} above it"
        near = min(abs(u - m) for u in values)
        if near > mpmath.mpf("1e-3") * (1 + abs(m)):
            return f"never approached (closest sample {mpmath.nstr(near, 5)} away)"
    if name in ("minimum", "maximum") and v in (sp.oo, -sp.oo):  # the tails go beyond every grid value
        inner = [u for t, u in grid if abs(t) <= 50]
        far = [u for _, u in tails]
        if (v == sp.oo and max(far) <= max(inner)) or (v == -sp.oo and min(far) >= min(inner)):
            return "the tails do not grow beyond the grid's values"
    if name == "range" and isinstance(v, sp.Interval):
        lo, hi = v.start, v.end
        if lo != -sp.oo and min(values) < _num(lo) - _tol(_num(lo)):
            return "a value below its start"
        if hi != sp.oo and max(values) > _num(hi) + _tol(_num(hi)):
            return "a value above its end"
    if name == "limits":
        for (side, lim), pts in zip(
            (("-oo", v[0]), ("+oo", v[1])), ([t for t in tails if t[0] < 0], [t for t in tails if t[0] > 0])
        ):
            far = pts[-1][1] if side == "+oo" else pts[0][1]
            nearer = pts[-2][1] if side == "+oo" else pts[1][1]
            if isinstance(lim, str):  # 'does not exist': proved from a period and two values, tested apart
                continue
            if lim in (sp.oo, -sp.oo):
                if (far > 0) != (lim == sp.oo) or abs(far) <= abs(nearer):
                    return f"f = {mpmath.nstr(far, 8)} at {side}"
            elif lim is not sp.nan and abs(far - _num(lim)) > mpmath.mpf("1e-3") * (1 + abs(far)):
                return f"f = {mpmath.nstr(far, 8)} far out at {side}"
    if name == "zero_at_zero":
        f0 = mpmath.mpmathify(ref(mpmath.mpf(0)))
        if (abs(f0) < mpmath.mpf("1e-30")) != v:
            return f"f(0) = {f0}"
    if name == "derivative_at_zero":
        if isinstance(v, str):  # a jump at 0
            eps = mpmath.mpf("1e-25")
            if abs(ref(-eps) - ref(eps)) < mpmath.mpf("1e-10"):
                return "f does not jump at 0"
        elif not isinstance(v, tuple) and v.is_finite:
            d = _slope(ref, mpmath.mpf(0))
            if d is None or abs(d - _num(v)) > mpmath.mpf("1e-8") * (1 + abs(d)):
                return f"f'(0) = {d}"
        elif isinstance(v, tuple) and all(s.is_finite for s in v):
            h = mpmath.mpf("1e-15")
            f0 = ref(mpmath.mpf(0))
            left, right = (f0 - ref(-h)) / h, (ref(h) - f0) / h
            if abs(left - _num(v[0])) > 1e-6 * (1 + abs(left)) or abs(right - _num(v[1])) > 1e-6 * (1 + abs(right)):
                return f"one-sided slopes {mpmath.nstr(left, 8)}, {mpmath.nstr(right, 8)}"
    if name == "identity_near_origin" and v:
        f0, d = ref(mpmath.mpf(0)), _slope(ref, mpmath.mpf(0))
        if abs(f0) > 1e-30 or d is None or abs(d - 1) > 1e-8:
            return f"f(0) = {f0}, f'(0) = {d}"
    if name == "parity" and v in ("odd", "even"):
        sign = -1 if v == "odd" else 1
        for t, u in grid[::37]:
            if abs(ref(-t) - sign * u) > _tol(u):
                return f"f(-{t}) = {ref(-t)}, f({t}) = {u}"
    if name in ("monotonic",) and v != "not monotonic":
        steps = [b - a for (_, a), (_, b) in zip(grid, grid[1:])]
        tol = mpmath.mpf("1e-25") * (1 + max(abs(u) for u in values))
        up, down = v in ("increasing", "nondecreasing"), v in ("decreasing", "nonincreasing")
        if up and min(steps) < -tol or down and max(steps) > tol:
            return "a sample step goes the other way"
        if v == "constant" and max(abs(s) for s in steps) > tol:
            return "f changes"
    if name == "monotonic" and v == "not monotonic":
        steps = [b - a for (_, a), (_, b) in zip(grid, grid[1:])]
        if min(steps) >= 0 or max(steps) <= 0:
            return "the samples are monotone"
    if name == "lipschitz" and v != sp.oo:
        bound = _num(v)
        slopes = [_slope(ref, t) for t, _ in grid[::7]]
        slopes = [abs(s) for s in slopes if s is not None]
        if max(slopes) > bound + mpmath.mpf("1e-6") * (1 + bound):
            return f"|f'| = {mpmath.nstr(max(slopes), 12)} exceeds it"
        at = prop.details.get("at") or []
        if prop.details.get("attained") and len(at) == 1 and not isinstance(at[0], sp.Set):
            s = _slope(ref, _num(at[0]) + mpmath.mpf("1e-20"))
            if s is not None and abs(abs(s) - bound) > mpmath.mpf("1e-6") * (1 + bound):
                return f"|f'({at[0]})| = {mpmath.nstr(abs(s), 12)}, not the claimed sup"
    if name == "continuity" and v == -1:
        points = prop.details.get("at") or {}
        for c in points:
            c = _num(c)
            eps = mpmath.mpf("1e-25")
            if abs(ref(c - eps) - ref(c + eps)) < mpmath.mpf("1e-10") and abs(ref(c) - ref(c + eps)) < 1e-10:
                return f"no jump at {c}"
    return None
