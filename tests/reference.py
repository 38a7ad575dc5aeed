"""Independent mpmath formulas for every catalog activation at its default parameters.

Written from the frameworks' documentation, not from the catalog, so a typo in either shows.
"""

from mpmath import erfc, exp, log, mpf, pi, sqrt, tanh

SELU_ALPHA = "1.6732632423543772848170429916717"
SELU_SCALE = "1.0507009873554804934193349852946"


def _sigmoid(t):
    return 1 / (1 + exp(-t))


def _softplus(t):
    return log(1 + exp(t))


def _gelu(t):
    return t * erfc(-t / sqrt(2)) / 2


REFERENCE = {
    "identity": lambda t: t,
    "relu": lambda t: max(t, 0),
    "relu6": lambda t: min(max(t, 0), 6),
    "leaky_relu": lambda t: t if t >= 0 else mpf("0.01") * t,
    "prelu": lambda t: t if t >= 0 else mpf("0.25") * t,
    "rrelu": lambda t: t if t >= 0 else (mpf(1) / 8 + mpf(1) / 3) / 2 * t,
    "threshold": lambda t: t if t > 1 else mpf(0),
    "elu": lambda t: t if t > 0 else exp(t) - 1,
    "celu": lambda t: max(0, t) + min(0, exp(t) - 1),
    "selu": lambda t: mpf(SELU_SCALE) * (t if t > 0 else mpf(SELU_ALPHA) * (exp(t) - 1)),
    "sigmoid": _sigmoid,
    "tanh": tanh,
    "softsign": lambda t: t / (1 + abs(t)),
    "hardsigmoid": lambda t: min(max(t + 3, 0), 6) / 6,
    "hardtanh": lambda t: min(max(t, -1), 1),
    "sparse_sigmoid": lambda t: min(max((t + 1) / 2, 0), 1),
    "softplus": _softplus,
    "log_sigmoid": lambda t: log(_sigmoid(t)),
    "squareplus": lambda t: (t + sqrt(t * t + 4)) / 2,
    "sparse_plus": lambda t: 0 if t <= -1 else (t if t >= 1 else (t + 1) ** 2 / 4),
    "exp": exp,
    "silu": lambda t: t * _sigmoid(t),
    "swish": lambda t: t * _sigmoid(t),
    "gelu": _gelu,
    "gelu_tanh": lambda t: t / 2 * (1 + tanh(sqrt(2 / pi) * (t + mpf("0.044715") * t**3))),
    "mish": lambda t: t * tanh(_softplus(t)),
    "hardswish": lambda t: t * min(max(t + 3, 0), 6) / 6,
    "tanhshrink": lambda t: t - tanh(t),
    "softshrink": lambda t: t - mpf("0.5") if t > mpf("0.5") else (t + mpf("0.5") if t < -mpf("0.5") else mpf(0)),
    "hardshrink": lambda t: t if abs(t) > mpf("0.5") else mpf(0),
}
