"""The scalar emitter: a definition's kernel plans as Python functions of one float, for numba.

The stable forms of each ``symact.kernels.plan.Plan`` (the ones the NumPy emitter prints) are printed as
scalar code calling ``symact.kernels.scalar``'s helpers, and each output's ``Finish`` (patches, guard, limits
at +-inf, NaN) is written in as selects. ``symact.kernels.fused`` writes the module and compiles it.

>>> from symact.kernels.definition import resolve
>>> 'def symact_k1_value_and_grad(x_in):' in source(resolve('silu', 'torch', {}), 'k1')
True
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp
from sympy.printing.pycode import PythonCodePrinter

from symact.kernels import scalar
from symact.kernels.bands import cut_at, merged, plan_bands
from symact.kernels.definition import Definition
from symact.kernels.float32 import FUNCTIONS
from symact.kernels.fused import NoScalarForm, function_name
from symact.kernels.fused_loops import blocked, loops
from symact.kernels.nodes import DD_ARGS, NODES, STABLE_NODES, StableNode
from symact.kernels.plan import PARTS, Plan, float32_parts, part_plans
from symact.kernels.printer import each_cse, float_comparison, leaky_form
from symact.kernels.selections import gives_ends, memory_bound

__all__ = ["source"]


class _ScalarPrinter(PythonCodePrinter):
    """Python scalar code for numba: Piecewise as conditional expressions, stable nodes as helper calls."""

    def __init__(self, dd_symbols=(), cast: str = "", unbanded: bool = False):
        super().__init__({"fully_qualified_modules": True})
        self._dd, self._cast, self._unbanded = set(dd_symbols), cast, unbanded
        self.named: dict = {}  # nodes printed as the name of a variable computed before (``merged``)

    def _typed(self, text: str) -> str:
        return f"{self._cast}({text})" if self._cast else text

    def _print_Relational(self, expr):
        return super()._print_Relational(float_comparison(expr))

    def _print_Piecewise(self, expr):
        code = "math.nan"
        for value, cond in reversed(expr.args):
            text = self._print(value)
            code = text if cond is sp.true else f"({text} if {self._print(cond)} else {code})"
        return code

    def _print_Add(self, expr, **kwargs):
        leaky = leaky_form(expr)  # torch's select, with the sign of k*u at u = 0 or where k*u underflows
        if leaky is not None:
            u = self._print(leaky[0])
            return f"({u} if {u} > 0.0 else {self._typed(repr(leaky[1]))} * {u})"
        return super()._print_Add(expr, **kwargs)

    def _print_Max(self, expr):
        return self._fold("vmax", expr.args)

    def _print_Min(self, expr):
        return self._fold("vmin", expr.args)

    def _fold(self, name, args):
        """Nested ``vmax``/``vmin``, numbers last, as ``vmax_number``/``vmin_number`` (one select each)."""
        args = sorted(args, key=lambda a: a.is_number)
        code = self._print(args[0])
        for arg in args[1:]:
            code = f"{name}{'_number' * bool(arg.is_number and arg is not sp.nan)}({code}, {self._print(arg)})"
        return code

    def _print_Function(self, expr):
        name = type(expr).__name__
        if expr in self.named:
            return self.named[expr]
        if name in STABLE_NODES:
            if not hasattr(scalar, name):
                raise NoScalarForm("kernel", "backend", f"'numba' has no scalar {name} yet; use backend='numpy'")
            args, cut = [], cut_at(expr) if self._unbanded else None
            for i, a in enumerate(expr.args):  # a double-double argument as (hi, lo); another with low part 0.0
                args += (
                    [f"{a.name}_hi", f"{a.name}_lo"] if a in self._dd else ["math.inf" if i == cut else self._print(a)]
                )
                args += ["0.0"] * (a not in self._dd and i < DD_ARGS.get(name, 0))
            return f"{name}({', '.join(args)})"
        return super()._print_Function(expr)

    def _print_exp(self, expr):
        return f"vexp({self._print(expr.args[0])})"

    def _print_tanh(self, expr):
        return f"vtanh({self._print(expr.args[0])})"

    def _print_sign(self, expr):
        return f"sign({self._print(expr.args[0])})"

    def _print_Abs(self, expr):
        return f"abs({self._print(expr.args[0])})"

    def _print_Pow(self, expr, rational=False):
        n = int(expr.exp) if expr.exp.is_Integer else None
        base = self.parenthesize(expr.base, 100)
        if n in (3, 4):  # products vectorise; pow is a libm call
            return "(" + " * ".join([base] * n) + ")"
        if n == -2:  # the square of the reciprocal: no overflow of base**2 where the result is still subnormal
            return f"((1.0 / {base}) * (1.0 / {base}))"
        if n is not None and n not in (-1, 0, 1, 2):  # libm pow, as NumPy's power does
            return f"{base}**{float(n)!r}"
        return super()._print_Pow(expr, rational=rational)

    def _print_Float(self, expr):
        return self._typed(repr(float(expr)))

    def _print_Rational(self, expr):
        return self._typed(repr(float(expr)))

    def _print_Integer(self, expr):
        n = int(expr)
        return self._typed(str(n) if abs(n) < 2**53 else repr(float(n)))  # numba's integers are 64 bits

    def _print_erf(self, expr):
        return f"verf({self._print(expr.args[0])})"

    def _print_erfc(self, expr):
        return f"verfc({self._print(expr.args[0])})"


class _Float32Printer(_ScalarPrinter):
    """A ``float32`` plan's forms: ``symact.kernels.vmath32``'s functions for the nodes that
    ``symact.kernels.float32`` admits, and ``s_unscale`` as its product (vmath32 never scales)."""

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name == "s_unscale":
            return self._print(expr.args[1])
        if name == "s_expsq":  # exp(-c t**2): t**2 of a float32 exact in float64, c a power of two
            t = self._print(expr.args[0])
            return f"fexp({-float(expr.args[1])!r} * ({t} * {t}))"
        if name in FUNCTIONS:
            return f"{FUNCTIONS[name]}({self._print(expr.args[0])})"
        return super()._print_Function(expr)

    def _print_exp(self, expr):
        return f"fexp({self._print(expr.args[0])})"

    def _print_tanh(self, expr):
        return f"ftanh({self._print(expr.args[0])})"


def _body(
    plan: Plan,
    finish,
    patches: bool = True,
    cast: str = "float64",
    float32: bool = False,
    bands: list = (),
    lean: bool = False,
) -> list[str]:
    """Lines computing ``plan``'s outputs from its variable; ``finish(values)`` gives the lines that return them;
    ``patches=False``: without the Taylor patches; ``cast='float32'``: in float32 (for a ``native32`` plan);
    ``float32``: with ``vmath32``'s functions (for a plan with a ``float32`` bound); ``bands`` (``plan_bands``):
    the outputs as computed outside the underflow bands, and last a flag, whether x lies in one; ``lean``:
    exact only for |x| <= ``far`` (``Finish.selects``)."""
    try:
        return _lines(plan, finish, patches, cast, float32, bands, lean)
    except NotImplementedError as err:  # a function the scalar printer does not know (LambertW, ...)
        name = str(err).split(": ")[-1].splitlines()[0]
        raise NoScalarForm("kernel", "backend", f"'numba' has no scalar {name}; use backend='numpy'") from None


def _lines(
    plan: Plan, finish, patches: bool, cast: str, float32: bool = False, bands: list = (), lean: bool = False
) -> list[str]:
    """``_body``'s lines: the plan's double-double arguments, its forms, each output's ``Finish`` as selects;
    a memory-bound plan's without the selects of the limits and NaN where its code gives them itself."""
    if memory_bound(plan) and not (float32 or bands):
        infinities, nan = gives_ends(plan, _lines_ends(plan, finish, patches, cast, ends=(False, False)), cast)
        return _lines_ends(plan, finish, patches, cast, ends=(not infinities, not (infinities and nan)))
    return _lines_ends(plan, finish, patches, cast, float32, bands, lean=lean)


def far(plan: Plan) -> float:
    """The |x| up to which ``_body(..., lean=True)`` gives what the whole body gives (``Finish.far``)."""
    return min(post.far() for post in plan.finishes)


def _lines_ends(
    plan: Plan,
    finish,
    patches: bool,
    cast: str,
    float32: bool = False,
    bands: list = (),
    ends=(True, True),
    lean: bool = False,
) -> list[str]:
    narrow = "" if cast == "float64" else cast  # float64 is numba's type of a literal
    printer = _Float32Printer() if float32 else _ScalarPrinter(plan.dd, narrow, bool(bands))
    replacements, reduced = each_cse(plan.forms)
    v = plan.var.name
    lines = [f"{v} = {cast}({v}_in)"]
    for symbol, pairs in plan.dd.items():  # helpers.poly_dd, unrolled; float32: Horner's rule on the high parts
        if float32:
            lines += [f"{symbol.name} = {pairs[0][0]!r}"] + [
                f"{symbol.name} = {symbol.name} * {v} + {a!r}" for a, _ in pairs[1:]
            ]
            continue
        hi, lo = f"{symbol.name}_hi", f"{symbol.name}_lo"
        # compiled, dd_step's product is a fused multiply-add: exact at any x where it and its error are normal
        lines += [f"{hi}, {lo} = {pairs[0][0]!r}, {pairs[0][1]!r}"]
        lines += [f"{hi}, {lo} = dd_step({hi}, {lo}, {v}, {a!r}, {b!r})" for a, b in pairs[1:]]
        horner = repr(pairs[0][0])  # where a step overflowed: Horner's rule in float64 (helpers.poly_dd)
        for a, _ in pairs[1:]:
            horner = f"({horner} * {v} + {a!r})"
        lines.append(f"{hi}, {lo} = ({hi}, {lo}) if {hi} - {hi} == 0.0 else ({horner}, 0.0)")
    merge = merged([e for _, e in replacements] + reduced) if bands else {}
    for s, value in replacements:
        lines += _namemerged(value, merge, printer) + [f"{s.name} = {printer.doprint(value)}"]
    names = [f"r{i}" for i in range(len(reduced))]
    shared = _exponentials(plan, printer, bool(bands))
    for name, e, post in zip(names, reduced, plan.finishes):
        post = replace(post, fractions=()) if float32 else post  # the sum, not an exp fraction: Plan.float32
        lines += _namemerged(e, merge, printer) + [f"{name} = {cast}({printer.doprint(e)})"]
        lines += post.selects(name, v, shared, patches, narrow, ends, lean=lean)
    if bands:
        hi = {s: sp.Symbol(f"{s.name}_hi") for s in plan.dd}  # a node reads the high part of its argument
        tests = [(printer.doprint(t.xreplace(hi)), w, both) for t, w, both in bands]
        tests = [f"(abs({t}) > {w!r})" if both else f"({t} < {-w!r})" for t, w, both in tests]
        lines.append(f"band = {' | '.join(tests)}")
        names = [*names, "band"]
    return lines + finish(names)


def _exponentials(plan: Plan, printer: _ScalarPrinter, unbanded: bool = False) -> dict[float, tuple[float, str]]:
    """Per k, (w, code) of exp(-k|x|) as a node of the forms computes it from x itself (``Node.decay``); its
    code outside the underflow bands with ``unbanded``."""
    found = {}
    for node in sorted(set().union(*(f.atoms(StableNode) for f in plan.forms)), key=sp.default_sort_key):
        row = NODES[type(node).__name__]
        if row.decay and node.args[0] == plan.var and plan.var not in plan.dd:
            w = node.args[-1]
            cut = printer.doprint(sp.oo if unbanded else w)
            found.setdefault(
                row.decay, (float(w), f"s_exp_neg_abs({plan.var.name}, {row.decay!r}, {cut}, {row.two_sided})")
            )
    return found


def _namemerged(expr: sp.Expr, merge: dict, printer: _ScalarPrinter) -> list[str]:
    """Lines computing the merged nodes (``merged``) that ``expr`` uses first, each once, innermost first; the
    printer prints each node of their groups as the variable's name from then on. The forms around them (and
    so the order of every operation) stay as the scalar function computes them."""
    lines = []
    for node in sp.postorder_traversal(expr):
        key = merge.get(node)
        if key is not None and node not in printer.named:
            name = f"m{len(set(printer.named.values()))}"
            lines.append(f"{name} = {printer.doprint(key)}")
            printer.named.update({n: name for n, k in merge.items() if k == key})
    return lines


def source(definition: Definition, key: str) -> str:
    """The Python module (for numba) of a definition's kernel plans: one scalar function per part, named by ``key``.

    >>> from symact.kernels.definition import resolve
    >>> print(source(resolve('relu', 'torch', {}), 'k1').split('def ')[1].splitlines()[0])
    symact_k1_f(x_in):
    """
    plans = part_plans(definition)
    out = [
        f'"""symact fused kernel {definition.name or "(user)"!r}, kink={definition.kink!r} (generated; key {key})."""',
        "import math",
        "",
        "import numpy as np",
        "from numba import float32, float64",
        "",
        "from symact.kernels import scalar, vmath32  # noqa: F401 (the helpers compile_all compiles)",
        "from symact.kernels.vmath import compile_all",
        "",
        "compile_all()",
        "from symact.kernels.scalar import *  # noqa: E402, F403",
        "from symact.kernels.vmath import dd_step, scratch  # noqa: E402, F401",
        "from symact.kernels.vmath_erf import verf, verfc  # noqa: E402, F401",
        "from symact.kernels.vmath32 import *  # noqa: E402, F403",
        "",
        f"HAS_OUTPUT_FORM = {plans['grad_from_output'] is not None}",
        f"NAME = {definition.name!r}",
    ]

    bounds = float32_parts(plans)
    borrows = _borrows(plans, bounds)
    for part in PARTS:
        plan = plans[part]
        if plan is not None:
            outs = ["f", "df"] if part == "value_and_grad" else ["out"]
            borrowed = borrows and part == "value_and_grad"
            out += _part(function_name(key, part), plan, outs, bounds[part] is not None, borrowed)
            out += _borrowed(key, plans, bounds) if borrowed else []
    return "\n".join(out) + "\n"


def _borrows(plans: dict, bounds: dict) -> bool:
    """Whether ``value_and_grad`` computes float32 with f's and f''s float32 functions: it has none of its own
    and one of them has a ``float32`` bound (``float32_parts``: f computes a node of ``float32.APART``)."""
    own = plans["value_and_grad"].native32 or bounds["value_and_grad"] is not None
    return not own and any(bounds[p] is not None for p in ("f", "grad"))


def _borrowed(key: str, plans: dict, bounds: dict) -> list[str]:
    """``value_and_grad``'s float32 function and loop from f's and f''s: each output as its part computes it
    in float32 (its ``__32``, or its float64 function rounded), so exactly f and f'."""
    name = function_name(key, "value_and_grad")
    calls = []
    for part in ("f", "grad"):
        own = plans[part].native32 or bounds[part] is not None
        calls.append(f"{function_name(key, part)}__32(x_in)" if own else f"float32({function_name(key, part)}(x_in))")
    return [
        "",
        "",
        f"{name}_USES = ('f', 'grad')",
        "",
        "",
        f"def {name}__32(x_in):",
        f"    return {', '.join(calls)}",
        "",
        "",
        f"def {name}_loop32(x, f, df):",
        "    for i in range(x.size):",
        f"        f[i], df[i] = {name}__32(x[i])",
    ]


def _part(name: str, plan: Plan, outs: list[str], float32: bool = False, borrowed: bool = False) -> list[str]:
    """The functions of one part: the scalar function; where an output has Taylor patches or the plan has
    underflow bands worth leaving out (``plan_bands``), the same without them (``__bulk``, with the flag of the
    bands last) and with the bands but without the patches (``__rare``), both ``lean``; per patched output i the test of its
    windows (``__window{i}``) and its value there (``__patch{i}``: the whole ``Finish`` from a NaN, so exactly
    what the scalar function gives there); with ``float32`` (the plan's bounds taken: ``float32_parts``), a
    float32 function and loop calling ``vmath32`` (with patches, a loop in blocks as the float64 one, around the
    function without them, ``__32bulk``: the float64 patches, rounded, only inside the windows a float32 result
    needs, ``Plan.float32_finishes``, tested by ``__window{i}_32``, computed by ``__patch{i}_32``); ``borrowed``: a
    float32 function and loop of other parts' (``_borrowed``) that the ufunc calls too."""
    v = plan.var.name

    def finish(values):
        return [f"return {', '.join(values)}"]

    def function(suffix, lines):
        return ["", "", f"def {name}{suffix}({v}_in):"] + ["    " + line for line in lines]

    def rounded(values):
        return [f"return {', '.join(f'float32({v})' for v in values)}"]

    def patches(plan, tag=""):  # per patched output i, the test of its windows and its value there
        head, found = f"{v} = float64({v}_in)", []
        for i, post in enumerate(plan.finishes):
            if post.patches:
                found += function(f"__window{i}{tag}", [head, f"return {post.window(v)}"])
                found += function(
                    f"__patch{i}{tag}", [head, "r = math.nan", *post.selects("r", v, inside=True), "return r"]
                )
        return found

    code = ["", "", f"{name}_MEMORY_BOUND = {memory_bound(plan)}"] + function("", _body(plan, finish))
    narrow = replace(plan, finishes=plan.float32_finishes) if float32 else plan  # float32's windows
    if plan.native32:  # float32 computes the float64 result rounded: a loop of its own, in float32
        code += function("__32", _body(plan, finish, cast="float32"))
    elif float32:  # float32 results within the plan's bound by vmath32's short functions
        code += function("__32", _body(narrow, rounded, float32=True))
    patched = [i for i, post in enumerate(narrow.finishes) if post.patches]
    if float32 and patched:  # the patches (float64, rounded) only inside their float32 windows
        code += function("__32bulk", _body(narrow, rounded, patches=False, float32=True, lean=True))
        code += patches(narrow, "_32") + ["", "", *blocked(name, outs, patched, narrow=True, far=far(narrow))]
    elif plan.native32 or float32:
        each = ", ".join(f"{o}[i]" for o in outs)
        code += ["", "", f"def {name}_loop32(x, {', '.join(outs)}):", "    for i in range(x.size):"]
        code += [f"        {each} = {name}__32(x[i])"]
    patched = [i for i, post in enumerate(plan.finishes) if post.patches]
    bands = plan_bands(plan)
    if patched or bands:
        code += function("__bulk", _body(plan, finish, patches=False, bands=bands, lean=True))
    if bands:  # with the bands, without the patches: called (not inlined) in the rare blocks that meet a band
        code += function("__rare", _body(plan, finish, patches=False, lean=True))
    code += patches(plan)
    return code + loops(name, outs, patched, plan.native32 or float32 or borrowed, bool(bands), far(plan))
