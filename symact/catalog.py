"""The table of activations: one entry each, definitions only (no calculus, no numerics, no parser).

Every entry is a SymPy expression in the real symbol ``x`` with its parameters as
symbols and exact defaults, a reference, and every other fact about the one activation: PyTorch's and
JAX's functions for it (``Ref``: a path imported only when used), the side each framework's autograd
takes at each kink, the documented ULP bounds of its kernels, and whether it is piecewise linear
(max(x, 0) + slope*min(x, 0)). A new activation is one row.

>>> get('swish').expr
x*sigmoid(beta*x)
>>> get('swish').defaults
{beta: 1}
>>> get('hard_silu').name         # aliases resolve to one entry
'hardswish'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import sympy as sp
from sympy import Abs, Max, Min, Piecewise, Rational, exp, log, sqrt, tanh

from symact.errors import ParameterError, UnknownActivation
from symact.functions import Phi, sigmoid, softplus

__all__ = ["x", "Ref", "Activation", "VectorActivation", "CATALOG", "VECTOR_CATALOG", "USER", "get", "names"]

x = sp.Symbol("x", real=True)


class Ref(str):
    """A framework's function for an activation, imported only when used: a string, the call as the
    framework writes it, holding the ``path`` to import, the activation's parameters passed after x
    (``args``, by name; one-element tensors of x's dtype where ``tensor``) and fixed keyword ``options``.

    >>> ref = Ref('torch.nn.functional.gelu', approximate='tanh')
    >>> ref, ref.path, ref.options
    ("gelu(approximate='tanh')", 'torch.nn.functional.gelu', {'approximate': 'tanh'})
    """

    path: str
    args: tuple[str, ...]
    options: dict
    tensor: bool

    def __new__(cls, path: str, *args: str, name: str = "", tensor: bool = False, **options) -> Ref:
        label = name or path.rpartition(".")[2]
        shown = ", ".join(f"{key}={value!r}" for key, value in options.items())
        self = super().__new__(cls, f"{label}({shown})" if shown else label)
        self.path, self.args, self.options, self.tensor, self._name = path, args, options, tensor, name
        return self

    def __reduce__(self):
        return _ref, (self.path, self.args, self._name, self.tensor, self.options)


def _ref(path: str, args: tuple, name: str, tensor: bool, options: dict) -> Ref:
    return Ref(path, *args, name=name, tensor=tensor, **options)


@dataclass(frozen=True)
class Activation:
    """One elementwise activation: ``expr`` in ``x`` with parameters ``defaults``, and the facts about it.

    ``framework_kinks``: kink point -> (PyTorch's side, JAX's side), as measured on their autograd ('left'
    or 'right': that one-sided derivative; 'mean': their average; ``None``: the framework lacks it).
    ``ulp_bounds``: the kernels' documented worst case in float64 ULPs (f, f'), as
    ``benchmarks/accuracy.py`` measures it. ``grad2_ulps``: the same for f'', relative too (a result below the
    smallest normal: within that many smallest normals). ``output_ulps``: ``grad_from_output``'s, in ULPs of f'
    at the float y it is given, or of ``output_floor`` where f' is smaller (selu's form y + lambda*alpha adds
    a rounded constant and cancels as x -> -inf, where the float y has lost f' anyway). Each at the defaults;
    ``tests/test_accuracy_dense.py`` holds both backends to them in float64, and to 1 ULP in float32.
    ``linear_pieces``: max(x, 0) + slope*min(x, 0), whose networks have exact linear pieces.
    """

    name: str
    expr: sp.Expr
    defaults: Mapping[sp.Symbol, sp.Expr] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    reference: str = ""
    torch: Ref | None = None
    jax: Ref | None = None
    family: str = "user"
    framework_kinks: Mapping[sp.Expr, tuple[str | None, str | None]] = field(default_factory=dict)
    ulp_bounds: tuple[float, float] = (4, 4)
    grad2_ulps: float = 4
    output_ulps: float = 4
    output_floor: float = 0
    linear_pieces: bool = False

    def __post_init__(self):
        object.__setattr__(self, "defaults", {p: sp.sympify(v) for p, v in self.defaults.items()})

    @property
    def params(self) -> tuple[sp.Symbol, ...]:
        """The parameter symbols, in the order of ``defaults``.

        >>> get('prelu').params
        (alpha,)
        """
        return tuple(self.defaults)

    def bind(self, **values: float | sp.Expr) -> dict[sp.Symbol, sp.Expr]:
        """Map parameter names to checked SymPy values; unknown names raise ``ParameterError``.

        >>> get('prelu').bind(alpha=0.5)
        {alpha: 1/2}
        """
        by_name = {p.name: p for p in self.params}
        bound = {}
        for key, value in values.items():
            if key not in by_name:
                problem = "is not a parameter" + (
                    f" (it takes {', '.join(by_name)})" if by_name else " (it takes none)"
                )
                raise ParameterError(self.name, key, problem, by_name)
            bound[by_name[key]] = _parameter_value(self.name, by_name[key], value)
        return bound

    def at(self, **values: float | sp.Expr) -> sp.Expr:
        """The expression with the given parameters substituted (the others stay symbolic)."""
        return self.expr.subs(self.bind(**values))

    def at_defaults(self) -> sp.Expr:
        """The expression with every parameter at its default."""
        return self.expr.subs(self.defaults)


def _parameter_value(activation: str, symbol: sp.Symbol, value) -> sp.Expr:
    if isinstance(value, bool):
        raise ParameterError(activation, symbol.name, f"must be a number, not {value!r}")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ParameterError(activation, symbol.name, f"must be finite, got {value!r}")
        value = sp.nsimplify(value, rational=True)
    elif isinstance(value, int):
        value = sp.Integer(value)
    elif not isinstance(value, sp.Basic):
        raise ParameterError(activation, symbol.name, f"must be a number or SymPy expression, not {value!r}")
    if value.is_number:
        if not value.is_real or not value.is_finite:
            raise ParameterError(activation, symbol.name, f"must be a finite real number, got {value}")
        if symbol.is_positive and not value.is_positive:
            raise ParameterError(activation, symbol.name, f"must be positive, got {value}")
    return value


@dataclass(frozen=True)
class VectorActivation:
    """An activation on a whole vector, such as softmax: ``build(n)`` gives its n outputs."""

    name: str
    build: Callable[[int], sp.Matrix]
    aliases: tuple[str, ...] = ()
    reference: str = ""
    torch: str | None = None
    jax: str | None = None
    family: str = "vector"

    def inputs(self, n: int) -> sp.Matrix:
        """A column of ``n`` real input symbols ``x1 ... xn``.

        >>> get('softmax').inputs(2).T
        Matrix([[x1, x2]])
        """
        return sp.Matrix(sp.symbols(f"x1:{n + 1}", real=True))


def _softmax(n: int) -> sp.Matrix:
    z = sp.symbols(f"x1:{n + 1}", real=True)
    total = sum(exp(zi) for zi in z)
    return sp.Matrix([exp(zi) / total for zi in z])


def _log_softmax(n: int) -> sp.Matrix:
    z = sp.symbols(f"x1:{n + 1}", real=True)
    lse = log(sum(exp(zi) for zi in z))
    return sp.Matrix([zi - lse for zi in z])


def _softmin(n: int) -> sp.Matrix:
    z = sp.symbols(f"x1:{n + 1}", real=True)
    total = sum(exp(-zi) for zi in z)
    return sp.Matrix([exp(-zi) / total for zi in z])


# Parameters, with the assumptions their values must satisfy.
alpha = sp.Symbol("alpha", positive=True)
beta = sp.Symbol("beta", positive=True)
lambd = sp.Symbol("lambd", positive=True)
b = sp.Symbol("b", positive=True)
negative_slope = sp.Symbol("negative_slope", real=True)
prelu_alpha = sp.Symbol("alpha", real=True)
min_val, max_val = sp.symbols("min_val max_val", real=True)
threshold, value = sp.symbols("threshold value", real=True)
lower, upper = sp.symbols("lower upper", real=True)  # torch takes any lower <= upper: 0, negative
scale = sp.Symbol("scale", positive=True)

SELU_ALPHA = Rational("1.6732632423543772848170429916717")
SELU_SCALE = Rational("1.0507009873554804934193349852946")


# fmt: off
CATALOG: tuple[Activation, ...] = (
    # ---- linear and rectified --------------------------------------------------------------
    Activation("identity", x, aliases=("linear",), torch=Ref("torch.positive", name="identity"),
               jax=Ref("jax.numpy.positive", name="identity"), linear_pieces=True,
               family="linear",
               reference="The identity map: a network of them collapses to one affine layer."),
    Activation("relu", Max(0, x), torch=Ref("torch.nn.functional.relu"), jax=Ref("jax.nn.relu"), linear_pieces=True,
               framework_kinks={0: ("left", "left")},
               family="rectified",
               reference="Nair & Hinton 2010, Rectified linear units improve restricted Boltzmann machines."),
    Activation("relu6", Min(Max(0, x), 6), torch=Ref("torch.nn.functional.relu6"), jax=Ref("jax.nn.relu6"),
               framework_kinks={0: ("left", "left"), 6: ("right", "right")},
               family="rectified",
               reference="Krizhevsky 2010, Convolutional deep belief networks on CIFAR-10."),
    Activation("leaky_relu", Max(0, x) + negative_slope * Min(0, x), {negative_slope: Rational(1, 100)},
               aliases=("lrelu",), torch=Ref("torch.nn.functional.leaky_relu", "negative_slope"),
               jax=Ref("jax.nn.leaky_relu", "negative_slope"), linear_pieces=True,
               framework_kinks={0: ("left", "right")},
               family="rectified",
               reference="Maas, Hannun & Ng 2013, Rectifier nonlinearities improve neural network acoustic models."),
    Activation("prelu", Max(0, x) + prelu_alpha * Min(0, x), {prelu_alpha: Rational(1, 4)},
               torch=Ref("torch.nn.functional.prelu", "alpha", tensor=True), linear_pieces=True,
               framework_kinks={0: ("left", None)},
               family="rectified",
               reference="He et al. 2015, Delving deep into rectifiers (PReLU)."),
    Activation("rrelu", Max(0, x) + (lower + upper) / 2 * Min(0, x), {lower: Rational(1, 8), upper: Rational(1, 3)},
               torch=Ref("torch.nn.functional.rrelu", "lower", "upper", training=False), linear_pieces=True,
               framework_kinks={0: ("left", None)},
               family="rectified",
               reference="Xu et al. 2015, Empirical evaluation of rectified activations; eval form, slope (lower+upper)/2."),
    Activation("threshold", Piecewise((x, x > threshold), (value, True)), {threshold: 1, value: 0},
               torch=Ref("torch.nn.functional.threshold", "threshold", "value"),
               framework_kinks={threshold: ("left", None)},
               family="rectified",
               reference="torch.nn.functional.threshold: x where x > threshold, else value."),
    # ---- exponential linear ----------------------------------------------------------------
    Activation("elu", Piecewise((x, x > 0), (alpha * (exp(x) - 1), True)), {alpha: 1},
               torch=Ref("torch.nn.functional.elu", "alpha"), jax=Ref("jax.nn.elu", "alpha"),
               framework_kinks={0: ("left", "left")},
               family="exponential",
               reference="Clevert, Unterthiner & Hochreiter 2016, Fast and accurate deep network learning by ELUs."),
    Activation("celu", Piecewise((x, x > 0), (alpha * (exp(x / alpha) - 1), True)), {alpha: 1},
               torch=Ref("torch.nn.functional.celu", "alpha"), jax=Ref("jax.nn.celu", "alpha"),
               framework_kinks={0: ("left", "left")},
               family="exponential",
               reference="Barron 2017, Continuously differentiable exponential linear units."),
    Activation("selu", scale * Piecewise((x, x > 0), (alpha * (exp(x) - 1), True)),
               {alpha: SELU_ALPHA, scale: SELU_SCALE}, torch=Ref("torch.nn.functional.selu"), jax=Ref("jax.nn.selu"),
               framework_kinks={0: ("left", "left")}, output_floor=1.7581,  # lambda*alpha
               family="exponential",
               reference="Klambauer et al. 2017, Self-normalizing neural networks."),
    # ---- sigmoidal ---------------------------------------------------------------------------
    Activation("sigmoid", sigmoid(x), aliases=("logistic",), torch=Ref("torch.sigmoid"), jax=Ref("jax.nn.sigmoid"),
               family="sigmoidal",
               reference="The logistic function; d2l.ai 5.1.2.2."),
    Activation("tanh", tanh(x), torch=Ref("torch.tanh"), jax=Ref("jax.numpy.tanh"),
               family="sigmoidal",
               reference="The hyperbolic tangent; d2l.ai 5.1.2.3."),
    Activation("softsign", x / (1 + Abs(x)), aliases=("soft_sign",),
               torch=Ref("torch.nn.functional.softsign"), jax=Ref("jax.nn.soft_sign"),
               family="sigmoidal",
               reference="Bergstra et al. 2009, Quadratic polynomials learn better image features."),
    Activation("hardsigmoid", Min(Max(0, x + 3), 6) / 6, aliases=("hard_sigmoid",),
               torch=Ref("torch.nn.functional.hardsigmoid"), jax=Ref("jax.nn.hard_sigmoid"),
               framework_kinks={-3: ("left", "left"), 3: ("right", "right")},
               family="sigmoidal",
               reference="Howard et al. 2019, Searching for MobileNetV3; relu6(x + 3)/6."),
    Activation("hardtanh", Min(Max(x, min_val), max_val), {min_val: -1, max_val: 1}, aliases=("hard_tanh",),
               torch=Ref("torch.nn.functional.hardtanh", "min_val", "max_val"), jax=Ref("jax.nn.hard_tanh"),
               framework_kinks={min_val: ("left", "right"), max_val: ("right", "left")},
               family="sigmoidal",
               reference="Collobert 2004, Large scale machine learning; the clipped identity."),
    Activation("sparse_sigmoid", Piecewise((0, x <= -1), ((x + 1) / 2, x < 1), (1, True)),
               jax=Ref("jax.nn.sparse_sigmoid"), framework_kinks={-1: (None, "mean"), 1: (None, "mean")},
               family="sigmoidal", reference="Martins & Astudillo 2016, From softmax to sparsemax (2-D sparsemax)."),
    # ---- softplus-like -----------------------------------------------------------------------
    Activation("softplus", softplus(beta * x) / beta, {beta: 1},
               torch=Ref("torch.nn.functional.softplus", "beta"), jax=Ref("jax.nn.softplus"),
               family="softplus", reference="Dugas et al. 2001, Incorporating second-order functional knowledge."),
    Activation("log_sigmoid", -softplus(-x), aliases=("logsigmoid",),
               torch=Ref("torch.nn.functional.logsigmoid"), jax=Ref("jax.nn.log_sigmoid"),
               family="softplus", reference="log(sigmoid(x)) = -softplus(-x)."),
    Activation("squareplus", (x + sqrt(x**2 + b)) / 2, {b: 4}, jax=Ref("jax.nn.squareplus", "b"),
               family="softplus",
               reference="Barron 2021, Squareplus: a softplus-like algebraic rectifier."),
    Activation("sparse_plus", Piecewise((0, x <= -1), ((x + 1) ** 2 / 4, x < 1), (x, True)),
               jax=Ref("jax.nn.sparse_plus"),
               family="softplus", reference="Blondel et al. 2020, Learning with Fenchel-Young losses (sparseplus)."),
    Activation("exp", exp(x), torch=Ref("torch.exp"), jax=Ref("jax.numpy.exp"),
               family="softplus", reference="The exponential, its own derivative."),
    # ---- self-gated --------------------------------------------------------------------------
    Activation("silu", x * sigmoid(x), torch=Ref("torch.nn.functional.silu"), jax=Ref("jax.nn.silu"),
               grad2_ulps=6, family="gated",
               reference="Elfwing, Uchibe & Doya 2018, Sigmoid-weighted linear units."),
    Activation("swish", x * sigmoid(beta * x), {beta: 1}, torch=Ref("torch.nn.functional.silu"),
               jax=Ref("jax.nn.silu"), grad2_ulps=6,
               family="gated",
               reference="Ramachandran, Zoph & Le 2017, Searching for activation functions."),
    Activation("gelu", x * Phi(x), torch=Ref("torch.nn.functional.gelu"), jax=Ref("jax.nn.gelu", approximate=False),
               family="gated",
               reference="Hendrycks & Gimpel 2016, Gaussian error linear units; exact erf form (jax: approximate=False)."),
    # f' = sigmoid(2u) + x u'(x) sech(u)**2 / 2 beyond its zero's patches (x < -1.76): the nodes' errors, the
    # product's roundings (2.7 ULP in all for that term) and the sum's condition (1.1 to 1.7) reach 5.49 ULP (at
    # x = -3.5727: the worst of 20,000 seeded points of [-4, 0], both backends alike); the bound is that and a fifth
    Activation("gelu_tanh", x / 2 * (1 + tanh(sqrt(2 / sp.pi) * (x + Rational(44715, 10**6) * x**3))),
               aliases=("gelu_approx",), torch=Ref("torch.nn.functional.gelu", approximate="tanh"),
               jax=Ref("jax.nn.gelu"), ulp_bounds=(4, 6.6), grad2_ulps=10,
               family="gated",
               reference="Hendrycks & Gimpel 2016; the tanh approximation, jax.nn.gelu's default."),
    # f'' is one fraction in exp(x) on most of [-40, 40] (symact.kernels.exp_fraction): 6 ULP measured. Its factor
    # sech(softplus(x))**2 amplifies softplus' rounding by 2*softplus(x) (59 ULP at x = 33.3 without the fraction)
    Activation("mish", x * tanh(softplus(x)), torch=Ref("torch.nn.functional.mish"), jax=Ref("jax.nn.mish"),
               grad2_ulps=8, family="gated",
               reference="Misra 2019, Mish: a self regularized non-monotonic activation function."),
    Activation("hardswish", x * Min(Max(0, x + 3), 6) / 6, aliases=("hard_swish", "hard_silu"),
               torch=Ref("torch.nn.functional.hardswish"), jax=Ref("jax.nn.hard_silu"),
               framework_kinks={-3: ("left", "left"), 3: ("right", "right")},
               family="gated", reference="Howard et al. 2019, Searching for MobileNetV3."),
    # ---- shrinkage ---------------------------------------------------------------------------
    Activation("tanhshrink", x - tanh(x), torch=Ref("torch.nn.functional.tanhshrink"),
               family="shrinkage",
               reference="torch.nn.functional.tanhshrink: x - tanh(x)."),
    Activation("softshrink", Piecewise((x - lambd, x > lambd), (x + lambd, x < -lambd), (0, True)),
               {lambd: Rational(1, 2)}, torch=Ref("torch.nn.functional.softshrink", "lambd"),
               framework_kinks={-lambd: ("right", None), lambd: ("left", None)},
               family="shrinkage",
               reference="Donoho 1995, De-noising by soft-thresholding."),
    Activation("hardshrink", Piecewise((x, Abs(x) > lambd), (0, True)), {lambd: Rational(1, 2)},
               torch=Ref("torch.nn.functional.hardshrink", "lambd"),
               framework_kinks={-lambd: ("right", None), lambd: ("left", None)},
               family="shrinkage", reference="The hard-thresholding operator."),
)

VECTOR_CATALOG: tuple[VectorActivation, ...] = (
    VectorActivation("softmax", _softmax, torch="softmax", jax="softmax",
                     reference="Bridle 1990; softmax(x)_i = exp(x_i) / sum_j exp(x_j)."),
    VectorActivation("log_softmax", _log_softmax, torch="log_softmax", jax="log_softmax",
                     reference="log_softmax(x)_i = x_i - log sum_j exp(x_j)."),
    VectorActivation("softmin", _softmin, torch="softmin", reference="softmin(x) = softmax(-x)."),
)
# fmt: on

USER: dict[str, Activation] = {}  # the activations symact.parsing.define() adds, by name


def _index() -> dict[str, Activation | VectorActivation]:
    """Every name and alias to its entry; a ``define``-d entry takes the place of a built-in one of its name."""
    if not USER:
        return _built_in()
    table = dict(_built_in())
    for entry in USER.values():
        for key in (entry.name, *entry.aliases):
            table[key] = entry
    return table


@lru_cache(maxsize=1)
def _built_in() -> dict[str, Activation | VectorActivation]:
    """The built-in entries' names and aliases (the tables are tuples: built once, never changed)."""
    return {key: entry for entry in (*CATALOG, *VECTOR_CATALOG) for key in (entry.name, *entry.aliases)}


def names(include_aliases: bool = False, vector: bool = False) -> list[str]:
    """The catalog's activation names, in table order.

    >>> names()[:3]
    ['identity', 'relu', 'relu6']
    """
    entries = [*CATALOG, *USER.values()] + (list(VECTOR_CATALOG) if vector else [])
    result = [e.name for e in entries]
    if include_aliases:
        result += [a for e in entries for a in e.aliases]
    return result


def get(name: str) -> Activation | VectorActivation:
    """The catalog entry named ``name`` (or one of its aliases).

    >>> get('logistic').name
    'sigmoid'
    """
    if isinstance(name, (Activation, VectorActivation)):
        return name
    if not isinstance(name, str):
        raise UnknownActivation(repr(name), [])
    table = _index()
    key = name.strip().lower().replace("-", "_")
    if key not in table:
        raise UnknownActivation(name, table)
    return table[key]
