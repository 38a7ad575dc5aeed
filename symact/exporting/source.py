"""The generated module: f, f' and f'' of one activation in PyTorch or JAX, with its autograd rule.

``Parts`` holds the expressions a module computes (f, f', f'' in x; or f' and its derivative written in the
output y where ``derive(...).df_of_output`` exists) with the parameters substituted; ``module_text`` prints
them with ``symact.exporting.printer`` (with the Taylor patches of symact's kernel plan where a part cancels,
``part_patches``), prepends the helpers they call and appends the framework's wiring: a
``torch.autograd.Function`` that saves one tensor (the output, where f' has an output form) and whose
backward is a second Function, so f'' serves double backward; or a ``jax.custom_jvp`` whose slope has one too
(f' in x: its jvp computes f and f' together, ``joint_text``).
The text imports only the framework: it runs, and can be kept, without symact.

>>> from symact.kernels.definition import resolve
>>> text = module_text(parts(resolve('softplus', 'torch', {})), 'torch')
>>> 'def df(y):' in text and 'import symact' not in text
True
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.printing.codeprinter import PrintMethodNotImplementedError

from symact.catalog import x
from symact.derivation import y
from symact.errors import ParameterError
from symact.exporting.prelude import HEADERS, prelude
from symact.exporting.printer import DD_HELPERS, FUSED_WIDE, NAMED, FrameworkPrinter
from symact.exporting.wiring import BACKWARD, JAX_INPUT, JAX_OUTPUT, TORCH
from symact.kernels.definition import Definition
from symact.kernels.patches import ZeroPatch
from symact.kernels.plan import make_plan, part_plans
from symact.kernels.printer import stable_forms
from symact.version import __version__

__all__ = [
    "Parts",
    "parts",
    "part_patches",
    "patches_text",
    "module_text",
    "joint_text",
    "function_name",
    "float32_pair",
    "unflushed",
]


@dataclass(frozen=True)
class Parts:
    """What the module computes: ``f`` in x, the slope ``df`` and its derivative ``d2f`` in ``var``."""

    name: str
    f: sp.Expr
    df: sp.Expr
    d2f: sp.Expr
    var: sp.Symbol  # x, or y when the backward reads the output alone

    @property
    def from_output(self) -> bool:
        """Whether f' and f'' are written in the output y rather than the input x."""
        return self.var == y


def parts(definition: Definition, output: bool = True) -> Parts:
    """The expressions of a definition, parameters substituted; f' from the output where it can be printed
    (and ``output`` asks for it)."""
    d = definition.derivation()
    defaults = {s: v for s, v in definition.entry.defaults.items() if s not in d.params}
    f, df, d2f = (e.subs(defaults) for e in (d.f, d.df, d.d2f))
    free = sorted(s.name for s in (f.free_symbols | df.free_symbols) - {x})
    if free:
        raise ParameterError("export", free[0], "has no value; give every parameter a number")
    name = d.name or "activation"
    if output and d.df_of_output is not None:
        dfy = d.df_of_output.subs(defaults)
        candidate = Parts(name, f, dfy, sp.diff(dfy, y), y)
        try:
            for fw in ("torch", "jax"):
                for n, e in (("df", dfy), ("d2f", candidate.d2f)):
                    function_text(n, e, y, fw)
            return candidate
        except ParameterError:  # the output form needs a function the framework lacks (erfinv): f' in x
            pass
    return Parts(name, f, df, d2f, x)


def function_text(
    fname: str,
    expr: sp.Expr,
    var: sp.Symbol,
    framework: str,
    guard=None,
    patches: tuple[ZeroPatch, ...] = (),
    wide: tuple[int, ...] | None = None,
) -> str:
    """``def fname(var): ...`` computing the stable form of ``expr``, with the Taylor ``patches`` of the kernel
    plan (``patches_text``) applied in order, through ``guard``: ``()`` maps NaN to NaN, ``(helper, low,
    high)`` calls ``at_inf`` (+-inf to the limits), ``(helper, low, high, beyond)`` ``at_nan`` (also a NaN at
    |x| > beyond) or ``at_special`` (also NaN to NaN) on it. With patches or arguments carried as pairs, torch's eager module computes the part
    in float64 for the other dtypes (rounded once, ``dd=False``: plain arguments; cheaper than float32 pairs) with
    the patches numbered in ``wide`` alone (all where None): ``wide_text``."""
    (expr,), dd = stable_forms([expr], var, scaled=False)
    expr = unflushed(expr, var) if framework == "jax" else expr
    called = {NAMED.get(type(f).__name__) for f in expr.atoms(sp.Function)}
    widened = bool(patches or dd or called & set(DD_HELPERS))
    printer = FrameworkPrinter(framework, var.name, dd, "dd" if widened else None)
    replacements, (reduced,) = sp.cse([expr], symbols=sp.numbered_symbols("t"), optimizations="basic")
    head = (
        f"def {fname}({var.name}, patches={_patches_name(fname)}, dd=True):" if widened else f"def {fname}({var.name}):"
    )
    lines = [patches_text(fname, patches), head] if widened else [head]
    far = beyond_float32([expr], dd)
    lines += [_to_float64(var.name, framework)] if far else []
    lines += [
        f"    {s.name} = poly_dd({var.name}, {tuple(c + float32_pair(*c) for c in pairs)!r}{', dd' if widened else ''})"
        for s, pairs in dd.items()
    ]
    lines += [f"    {s.name} = {printer.doprint(v)}" for s, v in replacements]
    result = printer.tensor(reduced)
    if widened and expr in FUSED_WIDE[framework]:  # float64 computing a float32 result: torch's fused slope
        result = f"{FUSED_WIDE[framework][expr]} if not dd else {result}"
    if patches:
        lines.append(f"    r = {result}")
    finished = _finished(var.name, "r" if patches else result, guard, "patches" if patches else None)
    lines.append(f"    return {_narrowed(finished, framework) if far else finished}")
    if widened and framework == "torch":
        lines += ["", "", wide_text(fname, range(len(patches)) if wide is None else wide)]
    return "\n".join(lines)


def _finished(var: str, result: str, guard, patches: str | None) -> str:
    """``result`` with the Taylor patches named ``patches`` applied, then the ``guard`` (see ``function_text``)."""
    if patches:
        result = f"patched({var}, {result}, {patches})"
    if guard == ():  # NaN only
        return f"keep_nan({var}, {result})"
    if guard is None:
        return result
    helper, *numbers = guard  # the limits, and where a NaN starts to be one (at_nan, at_special)
    text = ", ".join(repr(float(v)) if v == v and abs(v) != float("inf") else f"float('{v}')" for v in numbers)
    return f"{helper}({var}, {result}, {text})"


def joint_text(p: Parts, guards: dict, patches: dict) -> str:
    """``def f_df(x):`` f and f' in x together, for JAX's jvp: the common subexpressions of their stable forms
    computed once, each that both read through ``_share`` (XLA would compute it again in each fusion that reads
    it), with the same patches and guards as ``f`` and ``df``.

    >>> from symact.kernels.definition import resolve
    >>> print(joint_text(parts(resolve('silu', 'jax', {})), {}, {}))
    def f_df(x):
        t0 = _share(s_sigmoid(x))
        y = t0*x
        slope = t0 + x*s_dsigmoid(x)
        return y, slope
    """
    exprs, dd = stable_forms([p.f, p.df], x, scaled=False)
    exprs = [unflushed(e, x) for e in exprs]
    printer = FrameworkPrinter("jax", x.name, dd)
    replacements, reduced = sp.cse(exprs, symbols=sp.numbered_symbols("t"), optimizations="basic")
    needs = {}  # the replacement symbols each expression reads, directly or through others
    for s, v in replacements:
        needs[s] = set().union(*({a} | needs.get(a, set()) for a in v.free_symbols))
    reads = [set().union(*({a} | needs.get(a, set()) for a in e.free_symbols)) for e in reduced]
    both = reads[0] & reads[1]
    direct = set().union(
        *(e.free_symbols for e in reduced), *(v.free_symbols for s, v in replacements if s not in both)
    )
    far = beyond_float32(exprs, dd)
    lines = ["def f_df(x):", *([_to_float64(x.name, "jax")] if far else [])]
    lines += [f"    {s.name} = poly_dd(x, {tuple(c + float32_pair(*c) for c in pairs)!r})" for s, pairs in dd.items()]
    for s, v in replacements:
        code = printer.doprint(v)
        shared = s in both and s in direct and v.atoms(sp.Function)
        lines.append(f"    {s.name} = {f'_share({code})' if shared else code}")
    results = []
    for name, e in zip(("f", "df"), reduced):
        table = f"{name.upper()}_PATCHES" if patches.get(name) else None
        results.append(_finished(x.name, printer.tensor(e), guards.get(name), table))
    lines += [f"    y = {results[0]}", f"    slope = {results[1]}"]
    lines.append(f"    return {_narrowed('y', 'jax')}, {_narrowed('slope', 'jax')}" if far else "    return y, slope")
    return "\n".join(lines)


def beyond_float32(exprs: list[sp.Expr], dd: dict) -> bool:
    """Whether a number of ``exprs`` (stable forms) or of their double-double arguments ``dd`` is beyond float32's
    range (above its largest finite number, or nonzero below its smallest normal): celu at alpha = 1e300 computes
    1e300*expm1(1e-300*x), inf*0 in float32. Such a part computes every dtype in float64 and rounds once.

    >>> beyond_float32([1e300 * sp.exp(1e-300 * x)], {}), beyond_float32([2 * sp.exp(x / 2)], {})
    (True, False)
    """
    numbers = [float(abs(n)) for e in exprs for n in e.atoms(sp.Number) if n.is_finite and n != 0]
    numbers += [abs(hi) for pairs in dd.values() for hi, _ in pairs if hi != 0]
    return any(not _FLOAT32_TINY <= v <= _FLOAT32_MAX for v in numbers)


_FLOAT32_TINY, _FLOAT32_MAX = float(np.finfo(np.float32).tiny), float(np.finfo(np.float32).max)


# g(u) = u to within half an ULP of float64 below these |u| (the next term is u**2/2 or u**3/6 or less, relative)
_NEAR_LINEAR = dict.fromkeys(("s_expm1", "s_log1p"), 2.0**-53) | dict.fromkeys(
    ("tanh", "sinh", "asinh", "atan", "sin"), 2.0**-27
)


def unflushed(expr: sp.Expr, var: sp.Symbol) -> sp.Expr:
    """``expr`` such that XLA, which flushes a subnormal number to 0, keeps what a tiny factor makes tiny: each
    g(c*var) with |c| below 2**-10 and g(u) = u near 0 (``_NEAR_LINEAR``) is c*var where |c*var| is that near 0, and
    the factor around it takes c up (celu at alpha = 1e300 computes 1e300*expm1(1e-300*x): 0 at x = 1e-8, where
    1e-308 is flushed; x there).

    >>> unflushed(2**40 * sp.tanh(sp.Float(2.0**-40) * x), x)
    Piecewise((1.0*x, Abs(x) < 8192.0), (1099511627776*tanh(9.09494701772928e-13*x), True))
    """
    new = expr.replace(
        lambda e: _near_zero(e, var) is not None,
        lambda e: sp.Piecewise((e.args[0], sp.Abs(var) < _near_zero(e, var)), (e, True)),
    )
    return expr if new == expr else sp.piecewise_fold(new)


def _near_zero(e: sp.Basic, var: sp.Symbol) -> sp.Float | None:
    """For g(c*var) as ``unflushed`` rewrites: the |var| below which g(c*var) is c*var; None for any other node."""
    bound = _NEAR_LINEAR.get(type(e).__name__)
    if bound is None or len(e.args) != 1:
        return None
    c, rest = e.args[0].as_coeff_Mul()
    return sp.Float(bound / abs(float(c))) if rest == var and 0 < abs(c) < 2.0**-10 else None


def _to_float64(var: str, framework: str) -> str:
    """The first line of a part with a number beyond float32's range (``beyond_float32``): its input in float64
    (JAX's ``float``: float64 where x64 is on)."""
    cast = f"{var}.double()" if framework == "torch" else f"{var}.astype(float)"
    return f"    narrow, {var} = {var}.dtype, {cast}  # a number beyond float32's range: float64, rounded once"


def _narrowed(value: str, framework: str) -> str:
    """``value`` rounded back to the input's dtype (``_to_float64``)."""
    return f"({value}).to(narrow)" if framework == "torch" else f"({value}).astype(narrow)"


def _patches_name(fname: str) -> str:
    return f"{fname.upper()}_PATCHES"


def wide_text(fname: str, kept) -> str:
    """The constant naming the patches ``kept`` (their numbers) where torch computes ``fname`` in float64 for a
    float32 or half-precision tensor.

    >>> print(wide_text('df', []))
    # f' of float32 and half precision: in float64, rounded once, with the patches float64 needs (none near a
    # zero of f', where its 29 more bits absorb the cancellation; those of a removable singularity)
    DF_WIDE = ()
    """
    name = _patches_name(fname)
    items = "".join(f"{name}[{i}], " for i in kept).rstrip(" ")
    what = {"f": "f", "df": "f'", "d2f": "f''"}[fname]
    return (
        f"# {what} of float32 and half precision: in float64, rounded once, with the patches float64 needs (none near a\n"
        f"# zero of f', where its 29 more bits absorb the cancellation; those of a removable singularity)\n"
        f"{fname.upper()}_WIDE = ({items})"
    )


def patches_text(fname: str, patches: tuple[ZeroPatch, ...]) -> str:
    """The constant holding ``patches`` for ``patched``: per patch its centre as a float64 pair (hi, lo) and as a
    float32 pair (x - hi is then exact near the centre in either dtype), its window, the coefficients of its
    Taylor polynomial in h = (x - hi) - lo from the highest power, and how many of the last float32 takes
    (``float32_terms``).

    >>> print(patches_text('df', (ZeroPatch(0.5, 0.0, 0.25, (2.0, 0.0)),)))
    # where df cancels: Taylor polynomials ((hi, lo) in float64, in float32, window, coefficients, float32's)
    DF_PATCHES = (
        ((0.5, 0.0), (0.5, 0.0), 0.25, (
            2.0, 0.0,
        ), 2),
    )
    """
    if not patches:
        return f"{_patches_name(fname)} = ()  # no Taylor patches\n\n"
    lines = [
        f"# where {fname} cancels: Taylor polynomials ((hi, lo) in float64, in float32, window, coefficients, "
        "float32's)",
        f"{_patches_name(fname)} = (",
    ]
    for p in patches:
        lines.append(f"    (({p.hi!r}, {p.lo!r}), {float32_pair(p.hi, p.lo)!r}, {p.window!r}, (")
        for i in range(0, len(p.coeffs), 4):
            lines.append("        " + " ".join(f"{c!r}," for c in p.coeffs[i : i + 4]))
        lines.append(f"    ), {float32_terms(p)}),")
    return "\n".join([*lines, ")", "", ""])


def float32_pair(hi: float, lo: float) -> tuple[float, float]:
    """The double-double hi + lo as a float32 pair: its float32 rounding and the float32 rounding of the rest
    (float32's largest number beyond its range: such a part computes float32 in float64, ``beyond_float32``).

    >>> float32_pair(0.1, 0.0)
    (0.10000000149011612, -1.4901161415892261e-09)
    """
    if abs(hi) > _FLOAT32_MAX:  # a part computed in float64 alone
        return math.copysign(_FLOAT32_MAX, hi), 0.0
    hi32 = float(np.float32(hi))
    return hi32, float(np.float32((hi - hi32) + lo))


def float32_terms(patch: ZeroPatch, share: float = 2.0**-28) -> int:
    """How many of the patch's lowest-order terms float32 needs: those past them add up to less than ``share``
    (1/16 of float32's ULP) of the polynomial's value across the window (all of them where it has a zero off its
    centre).

    >>> float32_terms(ZeroPatch(0.0, 0.0, 0.5, (1e-12, 1e-10, 1.0, 0.0)))
    2
    """
    c = np.abs(np.array(patch.coeffs[::-1]))
    h = np.linspace(-patch.window, patch.window, 2001)
    h = h[h != 0]
    terms = c * np.abs(h)[:, None] ** np.arange(len(c))
    value = np.abs(np.polyval(patch.coeffs, h))
    tails = np.cumsum(terms[:, ::-1], axis=1)[:, ::-1]  # tails[:, n]: the terms of degree n and above
    return next((n for n in range(1, len(c)) if (tails[:, n] <= share * value).all()), len(c))


def function_name(name: str) -> str:
    """A Python identifier for the activation's function (``activation`` for an unnamed one)."""
    text = re.sub(r"\W", "_", name).strip("_")
    return text if text.isidentifier() and not text[0].isdigit() else "activation"


def part_patches(definition: Definition, p: Parts) -> dict[str, tuple[ZeroPatch, ...]]:
    """The Taylor patches of each part ('f', 'df', 'd2f') of ``p``: those of the kernel plan of the same
    expression (``symact.kernels.plan``: around the zeros of f' in x, where its terms cancel, and at removable
    singularities), so that the export computes what the kernel computes there."""
    plans = part_plans(definition)
    found = {"f": plans["f"], "df": plans["grad_from_output" if p.from_output else "grad"]}
    if p.from_output:
        try:
            found["d2f"] = make_plan((p.d2f,), y)
        except PrintMethodNotImplementedError:  # NumPy lacks a function of it: no plan, no patches
            found["d2f"] = None
    else:
        found["d2f"] = plans["grad2"]
    return {part: plan.finishes[0].patches for part, plan in found.items() if plan and plan.finishes[0].patches}


def module_text(
    p: Parts, framework: str, guards: dict | None = None, patches: dict | None = None, wide: dict | None = None
) -> str:
    """The whole module for ``framework``; ``guards`` maps a part ('f', 'df', 'd2f') to its guard (see
    ``function_text``), ``patches`` to its Taylor patches (``part_patches``), ``wide`` to the numbers of those
    torch keeps in float64 for the other dtypes (all where a part is missing)."""
    guards, patches, wide = guards or {}, patches or {}, wide or {}
    var = {"f": x, "df": p.var, "d2f": p.var}
    exprs = {"f": p.f, "df": p.df, "d2f": p.d2f}
    bodies = [
        function_text(n, exprs[n], var[n], framework, guards.get(n), patches.get(n, ()), wide.get(n))
        for n in ("f", "df", "d2f")
    ]
    if framework == "jax" and not p.from_output:
        bodies.append(joint_text(p, guards, patches))
    wide_args = {
        n: f", {n.upper()}_WIDE" if f"{n.upper()}_WIDE = (" in b else "" for n, b in zip(("f", "df", "d2f"), bodies)
    }
    # f' is a new tensor (not the saved one itself): g multiplies it in place
    grad = f"g * _wide(df, t{wide_args['df']})" if p.df.is_Symbol else f"_wide(df, t{wide_args['df']}).mul_(g)"
    grad = BACKWARD.get(p.df, grad) if p.from_output and framework == "torch" else grad
    used = set(re.findall(r"\b(\w+)\(", "\n".join([*bodies, grad])))
    fname = function_name(p.name)
    form = "the output y = f(x) alone" if p.from_output else "the input x"
    doc = (
        f'"""{p.name} for {"PyTorch" if framework == "torch" else "JAX"}, generated by symact {__version__}.\n\n'
        f"f(x) = {sp.sstr(p.f)}\nThe forward is its stable form; f' (and f'' for second derivatives) "
        f'are symact\'s, read from {form}.\n"""'
    )
    template = {"torch": TORCH, "jax": JAX_OUTPUT if p.from_output else JAX_INPUT}[framework]
    wiring = template.format(
        fname=fname,
        cls="".join(w.capitalize() for w in fname.split("_")),
        saved="y" if p.from_output else "x",
        grad=grad,
        **wide_args,
    )
    sections = [doc, HEADERS[framework], prelude(used, framework), *bodies, wiring.strip("\n")]
    return "\n\n\n".join(s for s in sections if s) + "\n"
