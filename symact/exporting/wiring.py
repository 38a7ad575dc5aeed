"""The wiring that ends a generated module, per framework: torch's ``autograd.Function`` classes (f' of the
saved tensor, double backward through f'') and JAX's ``custom_jvp`` (f' read from the output y, or from x with f
and f' computed together), as format strings that ``symact.exporting.source.module_text`` fills in.

>>> "{fname}" in TORCH and "custom_jvp" in JAX_OUTPUT and "custom_jvp" in JAX_INPUT
True
"""

from __future__ import annotations

import sympy as sp

from symact.derivation import y

__all__ = ["BACKWARD", "TORCH", "JAX_OUTPUT", "JAX_INPUT"]

# f' of the output as torch's own fused backward, g*f'(y) in one pass and the same operations: sigmoid's
# (g*(1 - y))*y, elu's where(y <= 0, g*(y + 1), g) (with NaN at NaN, as df). tanh's is not: it rounds 1 - y*y once.
BACKWARD = {
    y * (1 - y): "torch.ops.aten.sigmoid_backward(g, t)",
    sp.Piecewise((y + 1, y <= 0), (1, True)): "keep_nan(t, torch.ops.aten.elu_backward(g, 1.0, 1, 1, True, t))",
}

TORCH = '''
_NARROW = (torch.float16, torch.bfloat16)


def _wide(fn, t, patches=None):
    """fn(t): computed in float32 for half-precision tensors; in eager mode a part with Taylor patches computed in
    float64 for every other dtype, rounded once, with the ``patches`` float64 needs and no double-double arguments
    (compiled, the float32 patches' selects cost less than float64's exp)."""
    if patches is not None and t.dtype != torch.float64 and not torch.compiler.is_compiling():
        return fn(t.double(), patches, False).to(t.dtype)
    return fn(t.float()).to(t.dtype) if t.dtype in _NARROW else fn(t)


class _Slope(torch.autograd.Function):
    """f' of the saved tensor; its own backward is f'', so double backward works."""

    @staticmethod
    def forward(ctx, t):
        ctx.save_for_backward(t)
        return _wide(df, t{df})

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved_tensors
        return g * _wide(d2f, t{d2f})


class _Grad(torch.autograd.Function):
    """g*f'(t) as the plain backward computes it (the same bits); its own backward (f' to g, g*f'' to t) serves
    double backward."""

    @staticmethod
    def forward(ctx, g, t):
        ctx.save_for_backward(g, t)
        return {grad}

    @staticmethod
    def backward(ctx, gg):
        g, t = ctx.saved_tensors
        return gg * _Slope.apply(t), gg * g * _wide(d2f, t{d2f})


class _Activation(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = _wide(f, x{f})
        ctx.save_for_backward({saved})
        return y

    @staticmethod
    def backward(ctx, g):
        (t,) = ctx.saved_tensors
        if torch.compiler.is_compiling():  # a new node (x*1 is x): f' recomputed here, not the forward's masks saved
            t = t * 1.0
        if torch.is_grad_enabled():  # only for a differentiable backward (create_graph): then f' records f''
            return _Grad.apply(g, t)
        return {grad}


def {fname}(x):
    """The activation of a tensor of any shape and floating dtype."""
    return _Activation.apply(x)


class {cls}(torch.nn.Module):
    """The activation as a module."""

    def forward(self, x):
        return _Activation.apply(x)
'''

_JAX = '''
_NARROW = (jnp.float16, jnp.bfloat16)


def _wide(fn, t):
    """fn(t) (an array or a tuple of them), computed in float32 for half-precision arrays."""
    if t.dtype in _NARROW:
        return jax.tree.map(lambda v: v.astype(t.dtype), fn(t.astype(jnp.float32)))
    return fn(t)
'''

_ACTIVATION = '''
@jax.custom_jvp
def {fname}(x):
    """The activation of an array of any shape and floating dtype."""
    return _wide(f, x)
'''

# f' read from the output: the jvp computes y, then f'(y).
JAX_OUTPUT = (
    _JAX
    + """

@jax.custom_jvp
def _slope(t):
    return _wide(df, t)


@_slope.defjvp
def _slope_jvp(primals, tangents):
    (t,), (dt,) = primals, tangents
    return _slope(t), _wide(d2f, t) * dt

"""
    + _ACTIVATION
    + """

@{fname}.defjvp
def _jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    y = {fname}(x)
    return y, _slope(y) * dx
"""
)

# f' in the input: the jvp computes f and f' in one pass (f_df), then passes them on with their derivatives
# (f' and f'') through custom_jvp functions, so that any order differentiates with symact's derivatives.
JAX_INPUT = (
    _JAX
    + '''

@jax.custom_jvp
def _slope(t, s):
    """s = f'(t), computed with f; its derivative is f''(t)."""
    return s


@_slope.defjvp
def _slope_jvp(primals, tangents):
    (t, s), (dt, _) = primals, tangents
    return _slope(t, s), _wide(d2f, t) * dt


@jax.custom_jvp
def _value(x, y, s):
    """y = f(x), computed with s = f'(x): its derivative."""
    return y


@_value.defjvp
def _value_jvp(primals, tangents):
    (x, y, s), (dx, _, _) = primals, tangents
    return _value(x, y, s), _slope(x, s) * dx

'''
    + _ACTIVATION
    + """

@{fname}.defjvp
def _jvp(primals, tangents):
    (x,), (dx,) = primals, tangents
    y, s = _wide(f_df, jax.lax.stop_gradient(x))
    return _value(x, y, s), _slope(x, s) * dx
"""
)
