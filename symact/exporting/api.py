"""``export()``: an activation as a PyTorch module or a JAX function, with symact's stable forms and derivatives.

The generated module (``symact.exporting.source``) is executed as a module registered in ``sys.modules`` under a
name hashed from its text (``torch.compile`` imports the module of a function it inlines). f' is written in the
output where that form is defined at the ends and gives the kink policy's f' at every kink. Its raw f, f'
and f'' are probed at huge and infinite inputs and, where they miss the kernel plan's limits there (an
inf*0 inside), written again with the cheapest guard that mends it. torch's module computes a float32 (or
half-precision) part with Taylor patches in float64, with the patches float64 still needs there, measured
(``_wide_patches``). The first export of a definition is verified (``symact.exporting.verify``) unless
``verify=False``. A torch export's function and module run symact's fused kernel of the same definition on
eager CPU float32 and float64 tensors (``symact.exporting.eager``; ``kernels=False``: the generated module alone).

>>> import torch
>>> softplus = export('softplus', 'torch', verify=False)
>>> softplus.function(torch.tensor([-800.0, 0.0, 800.0], dtype=torch.float64))
tensor([0.0000e+00, 6.9315e-01, 8.0000e+02], dtype=torch.float64)
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import sys
import types
from collections.abc import Callable

import numpy as np
import sympy as sp

from symact.budget import DEFAULT_BUDGETS, check, guard, validate, within
from symact.catalog import Activation, x
from symact.derivation import y
from symact.errors import ParameterError
from symact.exporting.eager import accelerate
from symact.exporting.source import BACKWARD, Parts, function_name, module_text, part_patches, parts
from symact.exporting.verify import Verification, verify_export
from symact.kernels import fused
from symact.kernels.base import Kernel
from symact.kernels.build import fused_kernel
from symact.kernels.definition import Definition, resolve
from symact.kernels.plan import part_plans
from symact.testing.measure import ulp_error

__all__ = ["export", "Exported", "FRAMEWORKS"]

FRAMEWORKS = ("torch", "jax")
_PROBES = {
    "float64": np.array([1e308, 1e300, 1e200, 1e100, 1e50, 1e38, 1e20, np.inf]),
    "float32": np.array([3e38, 1e30, 1e20, np.inf], dtype=np.float32),
}
_VERIFIED: dict[tuple, Verification] = {}  # (definition key, name, framework, kernel path) -> its verification


class Exported:
    """An exported activation: ``function`` (a plain callable), ``module()`` (a torch ``nn.Module``),
    ``source()`` (the module text, runnable without symact), ``generated`` (that module's own function, which
    ``function`` is where no ``kernel`` serves) and ``report`` (the verification of this definition in this
    process, or None when not verified). ``kernel``: the fused kernel that computes eager CPU float32 and float64
    tensors (``symact.exporting.eager``), or None."""

    def __init__(
        self,
        definition: Definition,
        framework: str,
        text: str,
        namespace: types.ModuleType,
        kernel: Kernel | None = None,
    ):
        self.definition, self.framework, self._text, self.namespace = definition, framework, text, namespace
        self.generated: Callable = getattr(namespace, function_name(definition.name or "activation"))
        own = any(op in text for op in BACKWARD.values())  # the backward is torch's own one-pass op (sigmoid's, elu's)
        usable = kernel is not None and not own and (kernel.has_output_form or not self.saves_output)
        self.kernel = kernel if usable else None
        self.function, self._module = self.generated, None
        if self.kernel is not None:
            self.function, self._module = accelerate(namespace, self.generated, self.kernel, self.saves_output)
        self.report: Verification | None = None

    @property
    def saves_output(self) -> bool:
        """Whether the backward reads the output alone (f' has an output form), saving one tensor."""
        return "def df(y):" in self._text

    def module(self) -> "torch.nn.Module":  # noqa: F821, UP037  (torch is imported only when used)
        """A fresh ``torch.nn.Module`` computing the activation (torch exports only)."""
        if self.framework != "torch":
            raise ParameterError("export", "framework", "module() is for torch exports; use .function with JAX")
        if self._module is not None:
            return self._module()
        (cls,) = [v for k, v in vars(self.namespace).items() if isinstance(v, type) and not k.startswith("_")]
        return cls()

    def source(self) -> str:
        """The generated Python module: paste it into a project, it needs only the framework."""
        return self._text

    def __call__(self, values):
        return self.function(values)

    def __repr__(self) -> str:
        return f"Exported({self.definition.name or sp.sstr(self.definition.entry.expr)!r}, {self.framework!r})"


def export(
    activation: str | sp.Expr | Activation,
    framework: str = "torch",
    kink: str | None = None,
    verify: bool | None = None,
    budget: float | None = DEFAULT_BUDGETS["export"],
    kernels: bool = True,
    **params: float,
) -> Exported:
    """The activation (a catalog name, an expression string, a SymPy expression or what ``define`` returns) as
    PyTorch (a ``torch.autograd.Function``, its module and function) or JAX (a ``jax.custom_jvp`` function).

    The forward is symact's stable form; the backward is symact's f', read from the output alone where f' has
    an output form, and f'' serves second derivatives. ``kink`` is the kink policy (default: the framework's
    own convention). ``verify`` checks the export against symact (``symact.exporting.verify``) and raises
    ``ExportFailed`` when it fails; ``None`` verifies the first export of each definition. ``budget`` bounds
    the seconds spent (``ProofTimeout`` past it). ``kernels``: torch's function and module compute eager CPU
    float32 and float64 tensors with symact's fused kernel of the same definition where the fused backend is
    installed (``symact.exporting.eager``); ``False`` gives the generated module alone, as ``source()`` runs.

    >>> e = export('tanh', 'torch', verify=False)
    >>> e.saves_output, 'import symact' in e.source()
    (True, False)
    """
    if framework not in FRAMEWORKS:
        raise ParameterError("export", "framework", f"must be 'torch' or 'jax', got {framework!r}", FRAMEWORKS)
    lib = _framework(framework)  # imported once per process (seconds for JAX), before the budget: no import ends early
    with within(validate(budget, "export"), "export"):
        definition = resolve(activation, framework if kink is None else kink, params)
        with _float64(framework):
            p = parts(definition)
            if p.from_output and not (
                _kinks_kept(definition, p) and _slope_defined_at_ends(definition, p, lib, framework)
            ):
                p = parts(definition, output=False)  # the output form misses a kink, or is singular at an end
            guards = _guards(definition, p, lib, framework)
            patches = part_patches(definition, p)
            wide = _wide_patches(p, guards, patches) if framework == "torch" else None
            text = module_text(p, framework, guards, patches, wide)
            fast = _kernel(definition) if kernels and framework == "torch" else None
            exported = Exported(definition, framework, text, _load(text, function_name(p.name), keep=True), fast)
            key = (definition.key, definition.name, framework, exported.kernel is not None)
            if verify or (verify is None and key not in _VERIFIED):
                _VERIFIED[key] = verify_export(exported)
            exported.report = _VERIFIED.get(key) if verify is not False else None
        return exported


def _kernel(definition: Definition) -> Kernel | None:
    """The fused kernel of ``definition``; None where the fused backend is not installed or cannot compile it."""
    return fused_kernel(definition, strict=False) if fused.available() else None


def _framework(framework: str):
    try:
        return importlib.import_module("torch" if framework == "torch" else "jax.numpy")
    except ImportError:
        raise ParameterError(
            "export", "framework", f"{framework!r} is not installed here; pip install 'symact[{framework}]'"
        ) from None


@contextlib.contextmanager
def _float64(framework: str):
    """A scope where JAX computes in float64 as asked (it rounds to float32 by default), its global setting
    restored after (the cross-check turns it on); nothing for torch."""
    if framework != "jax":
        yield
        return
    jax = importlib.import_module("jax")
    before = jax.config.jax_enable_x64
    try:
        with jax.enable_x64(True) if hasattr(jax, "enable_x64") else jax.experimental.enable_x64(True):
            yield
    finally:
        jax.config.update("jax_enable_x64", before)


def _traced(fn: Callable, framework: str) -> Callable:
    """``fn`` as JAX runs it fast, compiled once (eagerly, each operation compiles on its own); torch's as is."""
    return importlib.import_module("jax").jit(fn) if framework == "jax" else fn


def _load(text: str, name: str, keep: bool = False) -> types.ModuleType:
    """The module ``text`` executed; ``keep``: registered in ``sys.modules`` under a name hashed from the text
    (one module per text), where ``torch.compile`` imports the module of a function it inlines."""
    module_name = f"symact_export_{name}" + (f"_{hashlib.sha256(text.encode()).hexdigest()[:16]}" if keep else "")
    if keep and module_name in sys.modules:
        return sys.modules[module_name]
    module = types.ModuleType(module_name)
    exec(compile(text, f"<symact export of {name}>", "exec"), module.__dict__)
    if keep:
        sys.modules[module_name] = module
    return module


def _kinks_kept(definition: Definition, p: Parts) -> bool:
    """Whether f' written in y is the kink policy's f' at every kink (at threshold's, y = 0 is also every value
    left of it: kink='right' needs f' in x; likewise hardshrink's kinks but under torch's policy)."""
    in_x, values = parts(definition, output=False).df, definition.values()
    for kink in definition.derivation().kinks:
        c = kink.subs(values)
        if abs(sp.N(in_x.subs(x, c) - p.df.subs(y, p.f.subs(x, c)), 30)) > 1e-25:
            return False
    return True


def _slope_defined_at_ends(definition: Definition, p: Parts, lib, framework: str) -> bool:
    """Whether f' written in y is a number at the values f tends to at -inf and +inf (squareplus's is not at 0)."""
    raw = _load(module_text(p, framework), "probe")
    ends = np.array(part_plans(definition)["f"].finishes[0].limits, dtype=np.float64)
    return not np.isnan(np.asarray(_traced(raw.df, framework)(lib.asarray(ends)), dtype=np.float64)).any()


def _guards(definition: Definition, p: Parts, lib, framework: str) -> dict:
    """The cheapest guard per part under which it gives NaN at NaN and the kernel plan's limits at huge and
    infinite inputs: none, ``at_inf`` (the limits at +-inf), ``at_nan`` (also where an input past the kernel's
    ``Finish.beyond`` gave NaN: ``underflow.guard_beyond``), ``at_special`` (also NaN at NaN; a slope of y: NaN
    only), each certified by running the module there."""
    plans = part_plans(definition)
    finishes = {part: plans[name].finishes[0] for part, name in (("f", "f"), ("df", "grad"), ("d2f", "grad2"))}
    limits = {part: finish.limits for part, finish in finishes.items()}
    ladder = {
        part: [
            None,
            ("at_inf", *limits[part]),
            *((g, *limits[part], finishes[part].beyond) for g in ("at_nan", "at_special")),
        ]
        for part in limits
    }
    if p.from_output:
        ladder["df"] = ladder["d2f"] = [None, ()]
    guards = {part: None for part in limits}
    with guard():  # the framework's tracing ends at the deadline too (a compilation in C++ runs to its end)
        while True:
            raw = _load(module_text(p, framework, guards), "probe")
            failing = [
                part for part in limits if not _meets_limits(getattr(raw, part), limits[part], p, part, lib, framework)
            ]
            failing = [part for part in failing if guards[part] != ladder[part][-1]]  # the last is the strongest
            if not failing:
                return {part: g for part, g in guards.items() if g is not None}
            for part in failing:
                guards[part] = ladder[part][ladder[part].index(guards[part]) + 1]


def _meets_limits(fn, limits, p: Parts, part: str, lib, framework: str) -> bool:
    """Whether ``fn`` is NaN at NaN, a number at huge inputs, and the limits at +-inf (a slope of y sees y)."""
    low, high = limits
    for probes in _PROBES.values():
        check()
        probe = np.concatenate([-probes, probes, probes[:1] * np.nan])
        got = np.asarray(_traced(fn, framework)(lib.asarray(probe)), dtype=np.float64)
        want = np.where(probe > 0, high, low)
        far = np.isinf(probe) & (part == "f" or not p.from_output)
        if not np.isnan(got[-1]) or np.isnan(got[:-1]).any() or not np.array_equal(got[far], want[far]):
            return False
    return True


def _wide_patches(p: Parts, guards: dict, patches: dict) -> dict[str, tuple[int, ...]]:
    """Per part with Taylor patches, the numbers of those torch keeps where it computes a float32 (or half
    precision) tensor in float64: a patch is dropped where the part without patches (nor double-double arguments),
    rounded to float32, is within 1 ULP of the float64 part at the 4096 floats either side of the centre and across
    the window (near a zero of f', float64's 29 more bits absorb the cancellation), and kept where it is not (0/0
    at a removable singularity)."""
    torch = importlib.import_module("torch")
    raw = _load(module_text(p, "torch", guards, patches), "probe")
    kept = {}
    for part, found in patches.items():
        fn, written = getattr(raw, part), getattr(raw, f"{part.upper()}_PATCHES")
        keep = []
        for i, patch in enumerate(found):
            t = torch.from_numpy(_float32_near(patch.hi + patch.lo, patch.window).astype(np.float64))
            plain, patched = (fn(t, *how).float().double().numpy() for how in (((), False), (written, True)))
            if not (ulp_error(plain, patched, "float32") <= 1).all():
                keep.append(i)
        kept[part] = tuple(keep)
    return kept


def _float32_near(centre: float, window: float) -> np.ndarray:
    """The float32 numbers next to ``centre`` (4096 either side, in order) and 4097 across the window around it."""
    order = int(np.float32(centre).view(np.int32))
    order = order if order >= 0 else -(order & 0x7FFFFFFF)  # the floats in order as integers, -0 as 0
    steps = order + np.arange(-4096, 4097, dtype=np.int64)
    near = np.where(steps >= 0, steps, -steps | 0x80000000).astype(np.uint32).view(np.float32)
    return np.concatenate([near, np.linspace(centre - window, centre + window, 4097).astype(np.float32)])
