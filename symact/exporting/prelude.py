"""The stable nodes as PyTorch or JAX functions: the text the generated module starts with.

The same algorithms as ``symact.kernels.helpers``, written branch-free with ``where`` (so ``torch.compile`` and
``jax.jit`` trace them), once for both frameworks: ``xp`` stands for ``torch`` or ``jnp``. In torch's eager mode
on the CPU one reduction of the tensor (``_eager_range``) skips the selects no element needs (the guards at
+-inf and NaN, sigmoid's branch below -80, the Taylor patches' windows): each element's result is the same. ``two_sum`` and
``two_prod`` are exact in float32 and float64; the arguments of ``poly_dd``, ``s_ncdf`` and ``s_expsq`` are carried
as a pair (hi, lo) in either, so that a rounded 3*x does not enter exp(3*x) (its rounding error |3x| 2**-24 would
grow by the condition number |3x|); float64 computing a float32 result (``dd=False``) takes the plain formula.
JAX's float64 sigmoid, sigmoid*sigmoid(-t), sech**2 and softplus call ``symact.exporting.prelude_float64``'s.
``prelude(names, framework)`` gives the functions a module calls, with the ones they call in turn.

>>> print(prelude({'s_div'}, 'jax'))
def s_div(a, b):
    return a / b
"""

from __future__ import annotations

import re

from symact.exporting.prelude_float64 import FLOAT64
from symact.exporting.prelude_joined import JOINED
from symact.kernels.vmath_erf import ERFC_FIT

__all__ = ["prelude", "HEADERS"]

HEADERS = {
    "torch": "import torch\n\nerf, erfc = torch.erf, torch.erfc",
    "jax": "import jax\nimport jax.numpy as jnp\nfrom jax.scipy.special import erf, erfc",
}
# The first lines of a helper (to its first return) that call torch's own fused operation (one pass over memory)
# where it is the same stable form to the bounds the verification checks, or work in torch's eager mode alone;
# other frameworks drop them.
_TORCH_ONLY = re.compile(r"\n    if .*:  # torch's own.*\n(?:        .*\n)*?        return .*")
# The lines of a helper (an if and its return) that take JAX's float64 forms (prelude_float64): torch drops them.
_JAX_ONLY = re.compile(r"\n    if .*:  # JAX's float64.*\n        return .*")

_HELPERS = {
    "two_prod": '''
def two_prod(a, b):
    """a*b (a an array; b an array or, in float64, a number) as hi + lo exactly, |a*b| < 1e30 (Dekker: split by
    2**27 + 1 in float64, 2**12 + 1 else)."""
    c = 134217729.0 if a.dtype == xp.float64 else 4097.0
    p = _kept(a * b)  # XLA would contract a sum with p into an fma: p must be the rounded product
    ah, al = _split(a, c)
    bh, bl = _split(b, c)
    return p, ((ah * bh - p) + ah * bl + al * bh) + al * bl''',
    "_split": """
def _split(a, c=134217729.0):
    p = _kept(a * c)  # XLA would contract p - a into fma(a, c, -a): hi would not be a's upper half
    hi = p - (p - a)
    return hi, a - hi""",
    "two_sum": """
def two_sum(a, b):
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)""",
    "poly_dd": '''
def poly_dd(t, coeffs, dd=True):
    """The polynomial at t (coefficients from the highest, each (hi, lo) in float64 and (hi, lo) in float32): (hi,
    lo) in t's dtype with ``dd`` (t clipped to +-1e100 in float64, +-1e10 in float32: a cubic does not overflow;
    beyond the clip and where a step overflowed, Horner's rule on the high parts, low part 0), (value, None) else."""
    single = t.dtype == xp.float32
    if not dd or not single and t.dtype != xp.float64:
        return _horner(t, coeffs, 0), None
    bound = 1e10 if single else 1e100
    c = xp.clip(t, -bound, bound)
    pairs = [k[2:] if single else k[:2] for k in coeffs]
    hi, lo = xp.full_like(t, pairs[0][0]), xp.full_like(t, pairs[0][1])
    for ch, cl in pairs[1:]:
        p, e = two_prod(hi, c)
        s, f = two_sum(p, ch)
        f = f + (e + lo * c) + cl
        hi = s + f
        lo = f - (hi - s)
    if _within(t, -bound, bound) and _within(hi, float("-inf"), float("inf")):  # torch's own eager mode: none far
        return hi, lo
    far = (xp.abs(t) > bound) | ~xp.isfinite(hi)
    return xp.where(far, _horner(t, coeffs, 2 if single else 0), hi), xp.where(far, 0.0, lo)''',
    "_horner": '''
def _horner(t, coeffs, i):
    """The polynomial at t by Horner's rule on the high parts coeffs[k][i]."""
    value = xp.full_like(t, coeffs[0][i])
    for c in coeffs[1:]:
        value = value * t + c[i]
    return value''',
    "_exp_neg_abs": '''
def _exp_neg_abs(t, lo, scale=1.0):
    """exp(-scale*|t + lo|)."""
    e = xp.exp(-scale * xp.abs(t))
    return e if lo is None else e * (1 + scale * xp.where(t < 0, lo, -lo))''',
    "s_sigmoid": '''
def s_sigmoid(t, lo=None):
    """1/(1 + exp(-t)) as e/(1 + e) or 1/(1 + e) with e = exp(-|t|): no overflow."""
    if lo is None:  # torch's own; below -80 (where 1 + exp(-t) may overflow) as sigmoid(t + 40)*exp(-40)
        if _within(t, -80.0, float("inf")):
            return torch.sigmoid(t)
        far = t < -80
        s = torch.sigmoid(torch.where(far, t + 40, t))
        return torch.where(far, s * 4.248354255291589e-18, s)
    if t.dtype == xp.float64:  # JAX's float64: 2.7 ULP off with XLA's exp
        return _sigmoid64(t, lo)
    e = _exp_neg_abs(t, lo)
    r = 1 / (1 + e)
    return xp.where(t < 0, e * r, r)''',
    "s_dsigmoid": '''
def s_dsigmoid(t, lo=None):
    """sigmoid(t)*sigmoid(-t) = e/(1 + e)**2 with e = exp(-|t|)."""
    if t.dtype == xp.float64:  # JAX's float64: 3.8 ULP off with XLA's exp
        return _bell64(t, lo, 1.0)
    e = _exp_neg_abs(t, lo)
    d = 1 + e
    return e / d / d''',
    "s_softplus": '''
def s_softplus(t, lo=None):
    """log(1 + exp(t)) = max(t, 0) + log1p(exp(-|t|))."""
    if lo is None:  # torch's own: log1p(exp(t)), and t above a threshold where exp(-t)/t < ULP/2
        return torch.nn.functional.softplus(t, threshold=40.0 if t.dtype == torch.float64 else 20.0)
    if t.dtype == xp.float64:  # JAX's float64: XLA's log1p is 2.3 ULP off (and slow)
        return _softplus64(t, lo)
    base = xp.where(t > 0, t, 0.0) if lo is None else xp.where(t > 0, t + lo, 0.0)
    return base + xp.log1p(_exp_neg_abs(t, lo))''',
    "s_softplus_tail": '''
def s_softplus_tail(t, lo=None):
    """log1p(exp(-|t|)): softplus(t) less max(t, 0)."""
    if t.dtype == xp.float64:  # JAX's float64: XLA's log1p is 2.3 ULP off (and slow)
        return _log1p64(*_exp_dd(t, lo, 1.0))
    return xp.log1p(_exp_neg_abs(t, lo))''',
    "s_sech2": '''
def s_sech2(t, lo=None):
    """1 - tanh(t)**2 = 4e/(1 + e)**2 with e = exp(-2|t|)."""
    if t.dtype == xp.float64:  # JAX's float64: 3.8 ULP off with XLA's exp
        return 4 * _bell64(t, lo, 2.0)
    e = _exp_neg_abs(t, lo, 2.0)
    d = 1 + e
    return 4 * e / d / d''',
    "s_ncdf": '''
def s_ncdf(t, dd=True):
    """Phi(t) = erfc(-t/sqrt 2)/2, the argument as a pair (float64 or float32) with ``dd``; in float32 (and in
    JAX's float64) with an erfc of its own."""
    if not dd or t.dtype not in (xp.float64, xp.float32):
        return 0.5 * erfc(t * -0.7071067811865476)
    tc = xp.clip(t, -1e10, 1e10)
    if t.dtype == xp.float64:
        z, err = two_prod(-tc, 0.7071067811865476)
        z, dz = two_sum(z, err + tc * 4.833646656726457e-17)
        return 0.5 * (_erfc64(z) - dz * 1.1283791670955126 * s_expsq(z, 1.0, False))  # a correction: plain exp
    z, err = two_prod(-tc, xp.full_like(tc, 0.7071067690849304))  # the constant split in float32 (not in float64)
    z, dz = two_sum(z, err - tc * 1.2101617485882343e-08)
    return 0.5 * (_erfc32(z) - dz * 1.1283791670955126 * s_expsq(z, 1.0, False))''',
    "_erfc32": '''
def _erfc32(z):
    """erfc(z) in float32 (the frameworks' own is up to 55 ULP off in the tail): t*exp(g(t) - a**2) for a = |z|,
    t = 2/(2 + a), g a degree-11 fit in s = 2.375t - 1.375 on a in [0, 10.67] (within 3.4e-8 as rounded), a**2
    exact as hi**2 + lo*(2hi + lo); 2 - erfc(-z) below 0."""
    a = xp.clip(xp.abs(z), max=10.67)  # beyond, erfc rounds to 0
    t = 2 / (2 + a)
    s = 2.375 * t - 1.375
    g = xp.full_like(s, _ERFC32[0])
    for c in _ERFC32[1:]:
        g = g * s + c
    hi, lo = _split(a, 4097.0)
    r = t * (xp.exp(-(hi * hi)) * _kept(xp.exp(g - lo * (2 * hi + lo))))
    return xp.where(z < 0, 2 - r, r)


_ERFC32 = (
    -6.001131168886786e-06, -2.4379734895774163e-05, 7.888020627433434e-05, 0.00013324020255822688,
    -0.0006019147695042193, -0.000249832752160728, 0.003930334933102131, -0.001294720103032887,
    -0.030362263321876526, 0.017027931287884712, 0.5759655237197876, -0.5645968317985535,
)''',
    "s_expsq": '''
def s_expsq(t, c, dd=True):
    """exp(-c*t**2), c a power of two: in float64 and float32 with ``dd`` t = hi + lo with hi**2 exact, so the
    exponent is exact."""
    if not dd or t.dtype not in (xp.float64, xp.float32):
        return xp.exp(-c * t * t)
    tc = xp.clip(xp.abs(t), max=(800 / c) ** 0.5)
    hi, lo = _split(tc, 134217729.0 if t.dtype == xp.float64 else 4097.0)
    return xp.exp(-c * (hi * hi)) * _kept(xp.exp(-c * (lo * (2 * hi + lo))))  # XLA: exp(a)*exp(b) to exp(a + b)''',
    "_sqrt_sq_plus": '''
def _sqrt_sq_plus(t, c):
    """sqrt(t**2 + c), by hypot where t**2 overflows."""
    h = xp.sqrt(t * t + c)
    return xp.where(xp.isinf(h), xp.hypot(t, xp.full_like(t, c**0.5)), h)''',
    "s_sqplus": '''
def s_sqplus(t, c):
    """(t + sqrt(t**2 + c))/2, dividing instead of cancelling for t < 0."""
    h = _sqrt_sq_plus(t, c)
    return xp.where(t < 0, (c / 4) / (h / 2 - t / 2), t / 2 + h / 2)''',
    "s_dsqplus": '''
def s_dsqplus(t, c):
    """(1 + t/sqrt(t**2 + c))/2, as (c/2)/(h (h - t)) for t < -sqrt(c/3), where the sum would cancel."""
    h = _sqrt_sq_plus(t, c)
    return xp.where(t < -((c / 3) ** 0.5), (c / 2) / h / (h - t), 0.5 + (t / h) / 2)''',
    "s_tanhshrink": '''
def s_tanhshrink(t):
    """t - tanh(t); for |t| < 1.5 t q/(1 + q) from the continued fraction tanh t = t/(1 + q)."""
    small = xp.abs(t) < 1.5
    s = xp.where(small, t, 0.0)
    q = xp.zeros_like(s)
    for n in range(13, 0, -1):
        q = s * s / ((2 * n + 1) + q)
    return xp.where(small, s * q / (1 + q), t - xp.tanh(t))''',
    "s_exp": '''
def s_exp(t, lo=None):
    """exp(t + lo) = exp(t) + exp(t)*lo, lo the low part of a double-double argument (exp(x/3))."""
    e = xp.exp(t)
    return e if lo is None else xp.where(xp.isfinite(e), e + e * lo, e)''',
    "s_expm1": """
def s_expm1(t):
    return xp.expm1(t)""",
    "s_log1p": """
def s_log1p(t):
    return xp.log1p(t)""",
    "s_hypot": """
def s_hypot(t, c):
    return xp.hypot(t, xp.full_like(t, c))""",
    "s_div": """
def s_div(a, b):
    return a / b""",
    "patched": '''
def patched(x, r, patches):
    """r with the Taylor patches applied in order (see the patches' comment): within a patch's window the
    polynomial in h = (x - hi) - lo, where the formula cancels; hi + lo in the dtype's own pair."""
    if not patches:
        return r
    if not torch.compiler.is_compiling():  # torch's own eager mode: each polynomial in its window only, in place
        low, high = min(p[0][0] - 2 * p[2] for p in patches), max(p[0][0] + 2 * p[2] for p in patches)
        span = _eager_range(x)
        if x.numel() == 0 or span is not None and (span[1] <= low or span[0] >= high):  # no element near a window
            return r
        r, flat = r.contiguous(), x.reshape(-1)
        near = torch.abs(flat - (low + high) / 2) < (high - low) / 2
        index = torch.nonzero(near).squeeze(1)
        xs, rs = flat.index_select(0, index), r.view(-1).index_select(0, index)
        for centre64, centre32, window, coeffs, terms32 in patches:
            hi, lo = centre64 if x.dtype == torch.float64 else centre32
            coeffs = coeffs if x.dtype == torch.float64 else coeffs[-terms32:]
            inside = torch.nonzero(torch.abs(xs - hi) < window).squeeze(1)
            h = (xs.index_select(0, inside) - hi) - lo
            p = torch.full_like(h, coeffs[0])
            for c in coeffs[1:]:
                p.mul_(h).add_(c)
            rs.index_copy_(0, inside, p)
        r.view(-1).index_copy_(0, index, rs)  # r is this function's own result
        return r
    return _taylor_selects(x, r, patches)''',
    "_taylor_selects": """
def _taylor_selects(x, r, patches):
    for centre64, centre32, window, coeffs, terms32 in patches:
        hi, lo = centre64 if x.dtype == xp.float64 else centre32
        coeffs = coeffs if x.dtype == xp.float64 else coeffs[-terms32:]
        h = _kept(x - hi) - lo
        r = xp.where(xp.abs(x - hi) < window, _horner4(coeffs, h), r)
    return r""",
    "_horner4": '''
def _horner4(coeffs, h):
    """sum c_k h**k (coeffs from the highest power) by Horner's scheme in four interleaved chains in h**4: one
    chain of a multiply-add per coefficient would bind the loop to its latency."""
    if len(coeffs) <= 8:
        p = xp.full_like(h, coeffs[0])
        for c in coeffs[1:]:
            p = p * h + c
        return p
    h4 = (h * h) * (h * h)
    q = []
    for j in range(4):
        chain = coeffs[::-1][j::4][::-1]
        p = xp.full_like(h, chain[0])
        for c in chain[1:]:
            p = p * h4 + c
        q.append(p)
    return q[0] + h * (q[1] + h * (q[2] + h * q[3]))''',
    "_within": '''
def _within(t, low, high):
    """Whether torch runs eagerly and low < t < high at every element (not where t has a NaN): then the selects
    that mend the elements outside would select what they are given everywhere, and are skipped."""
    span = _eager_range(t)
    return span is not None and low < span[0] and span[1] < high''',
    "_eager_range": '''
def _eager_range(t):
    """The least and the greatest element of t (NaN where t has a NaN; one reduction) when torch runs eagerly on
    the CPU (an accelerator would wait for the result; a select costs it little)."""
    if torch.compiler.is_compiling() or t.device.type != "cpu" or t.numel() == 0:
        return None
    least, most = torch.aminmax(t)
    return least.item(), most.item()''',
    "keep_nan": '''
def keep_nan(t, r):
    """r with NaN where t is NaN."""
    if _within(t, float("-inf"), float("inf")):  # torch's own eager mode: no NaN (nor infinity) in t
        return r
    return xp.where(xp.isnan(t), t, r)''',
    "at_inf": '''
def at_inf(x, r, low, high):
    """r with the limits at -inf and +inf."""
    if _within(x, float("-inf"), float("inf")):  # torch's own eager mode: no infinity (nor NaN) in x
        return r
    high, low = xp.ones_like(r) * high, xp.ones_like(r) * low  # a limit past float32 is its inf, not an error
    return xp.where(x == float("inf"), high, xp.where(x == float("-inf"), low, r))''',
    "at_nan": '''
def at_nan(x, r, low, high, beyond):
    """r with the limits where an input beyond ``beyond`` or infinite gave NaN (inf*0 inside); NaN stays NaN."""
    if _within(x, -beyond, beyond):  # torch's own eager mode: no huge input
        return r
    high, low = xp.ones_like(r) * high, xp.ones_like(r) * low  # a limit past float32 is its inf, not an error
    return xp.where(xp.isnan(r) & (xp.abs(x) > beyond), xp.where(x > 0, high, low), r)''',
    "at_special": '''
def at_special(x, r, low, high, beyond):
    """r with NaN at NaN and the limits at -inf and +inf, also where an input beyond ``beyond`` gave NaN (inf*0
    inside)."""
    if _within(x, -beyond, beyond):  # torch's own eager mode: no NaN, infinite or huge input
        return r
    far = xp.isinf(x) | (xp.isnan(r) & (xp.abs(x) > beyond))
    high, low = xp.ones_like(r) * high, xp.ones_like(r) * low  # a limit past float32 is its inf, not an error
    return xp.where(xp.isnan(x), x, xp.where(far, xp.where(x > 0, high, low), r))''',
}

# Helpers written differently per framework.
_OWN_HELPERS = {
    "torch": {
        "s_silu": '''
def s_silu(t):
    """t*sigmoid(t); in eager mode torch's silu, t/(1 + exp(-t)), where exp(-t) does not overflow (from -80)."""
    if torch.compiler.is_compiling():  # one loop: t*sigmoid(t) costs it one exp, the select below two
        return t * s_sigmoid(t)
    if _within(t, -80.0, float("inf")):
        return torch.nn.functional.silu(t)
    return torch.where(t < -80, t * s_sigmoid(t), torch.nn.functional.silu(t))''',
        "_kept": """
def _kept(t):
    \"\"\"t as computed (torch computes as written; XLA needs a barrier here).\"\"\"
    return t""",
        "_erfc64": """
def _erfc64(z):
    \"\"\"erfc(z) in float64: torch's own (JAX's module has one of its own).\"\"\"
    return erfc(z)""",
    },
    "jax": {
        "_erfc64": f'''
def _erfc64(z):
    """erfc(z) in float64 (XLA's is 500 ULP off near z = 23), ``symact.kernels.vmath_erf.erfc_dd``'s form:
    t*exp(g(s) - a**2) for a = |z|, t = 2/(2 + a), s = 2t - 1; t and s carried with their rounding errors (g' in
    plain Horner), g's two lowest terms and a**2 in double-double, exp of the head of the exponent times
    1 + its tail; 2 - erfc(-z) below 0. Within 2.5 ULP (XLA's exp within 1)."""
    a = xp.clip(xp.abs(z), max=27.3)  # beyond, erfc rounds to 0
    d = _kept(a + 2.0)
    bb = d - a
    d_lo = (a - (d - bb)) + (2.0 - bb)
    t = 2 / d
    p, p_lo = two_prod(t, d)
    t_lo = (((2.0 - p) - p_lo) - t * d_lo) / d
    s = _kept(2 * t - 1)
    ds = (2 * t - (s + 1)) + 2 * t_lo  # exact, then t's error
    h, dh = xp.full_like(s, _ERFC64[0][0]), xp.zeros_like(s)  # g = g0 + s (g1 + s h)
    for c in _ERFC64[0][1:]:
        dh = dh * s + h
        h = h * s + c
    q, q_lo = two_prod(h, s)
    u = _kept(_ERFC64[1][0] + q)
    u_lo = ((q - (u - _ERFC64[1][0])) + q_lo) + _ERFC64[1][1]
    v, v_lo = two_prod(u, s)
    g = _kept(_ERFC64[2][0] + v)
    g_lo = ((v - (g - _ERFC64[2][0])) + v_lo) + (s * u_lo + _ERFC64[2][1])
    dg = _ERFC64[1][0] + s * (2 * h + s * dh)  # g'
    sq, sq_lo = two_prod(a, a)
    e = _kept(g - sq)  # a two-sum: XLA would fold (g - sq) - g into -sq
    bb = e - g
    e_lo = (g - (e - bb)) - (sq + bb)
    tail = e_lo + g_lo - sq_lo + ds * dg + t_lo / t  # within 2e-13: exp(e + tail) = exp(e)(1 + tail)
    m = xp.exp(e) * t  # XLA's exp within 1 ULP; a two-product here would fail below 1e-290 (XLA flushes subnormals)
    r = m + m * tail
    return xp.where(z < 0, 2 - r, r)


_ERFC64 = {ERFC_FIT!r}''',
        "_share": """
def _share(t):
    \"\"\"t, computed once: XLA would compute a value that f and f' both read again in each of their fusions (the
    forward's and the backward's), but not past a division, which it counts as expensive (by ones it cannot see,
    shaped as t also under vmap: it would turn a division by a broadcast number into a product).\"\"\"
    ones = jnp.ones_like(t)
    return t / jax.lax.optimization_barrier(jnp.where(jnp.isnan(t), ones, ones))""",
        "_kept": """
def _kept(t):
    \"\"\"t as computed: XLA would fold (x - hi) - lo into x - (hi + lo), rounding the sum of the constants (the
    barrier), and its code generator contract a product and a sum into an fma, also across a barrier (the select).\"\"\"
    return jnp.where(t == t, jax.lax.optimization_barrier(t), jnp.nan)""",
    },
}
_PREFIX = {"torch": "torch.", "jax": "jnp."}


def prelude(names: set[str], framework: str) -> str:
    """The helpers ``names`` and those they call, in dependency order, written for ``framework``."""
    helpers = {**_HELPERS, **FLOAT64, **JOINED, **_OWN_HELPERS[framework]}
    drop = _TORCH_ONLY if framework != "torch" else _JAX_ONLY
    helpers = {name: drop.sub("", text) for name, text in helpers.items()}
    needed: list[str] = []

    def add(name: str) -> None:
        if name in needed or name not in helpers:
            return
        for called in re.findall(r"\b(\w+)\(", helpers[name]):
            if called != name:
                add(called)
        needed.append(name)

    for name in sorted(names):
        add(name)
    texts = [helpers[n].strip("\n").replace("xp.", _PREFIX[framework]) for n in needed]
    return "\n\n\n".join(texts)
