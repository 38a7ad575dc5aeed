"""The eager CPU path of a torch export: float32 and float64 tensors computed by symact's fused kernels.

``accelerate`` wraps the generated module (``symact.exporting.source``, loaded as is: its text never changes)
with a ``torch.autograd.Function`` of its own, where the fused backend (``symact.kernels.fused``) compiled the
same definition (the same kink policy). An eager call on a CPU float32 or float64 tensor (any shape and strides)
runs the kernel on zero-copy NumPy views (a permuted tensor, such as a transposed one, in its memory order, as
the kernel runs a C-contiguous array in place; the kernel copies any other layout). The forward writes f into
``torch.empty_like(x)`` in one pass; the backward writes f' into a new tensor in one pass (``grad_from_output``
from the saved output where the generated module reads f' from the output, ``grad`` from the saved input
otherwise) and multiplies it by the incoming gradient in place. One tensor is saved, as in the generated module.
A differentiable backward (``create_graph``) is the generated module's ``_Grad`` with its forward, g*f', computed
by the kernel: the first derivative has the plain backward's bits and f'' is the generated module's. Everything
else runs the generated module: float16 and bfloat16, other devices, tensor subclasses, ``torch.compile``
(``torch.compiler.is_compiling()``) and ``torch.jit.trace``.

>>> import torch, symact
>>> e = symact.export('silu', 'torch', verify=False)
>>> t = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
>>> torch.autograd.grad(e.function(t).sum(), t)[0]
tensor([0.0723, 0.5000, 1.0908])
"""

from __future__ import annotations

import importlib
import types
from collections.abc import Callable

from symact.kernels.base import Kernel

__all__ = ["accelerate"]


def accelerate(namespace: types.ModuleType, generated: Callable, kernel: Kernel, from_output: bool) -> tuple:
    """(function, module class): ``generated`` (the generated module's function) with the fused ``kernel`` of the
    same definition serving eager CPU float32 and float64 tensors; f' from the saved output when ``from_output``.
    The module class is the generated one's, calling the function."""
    torch = importlib.import_module("torch")
    plain = (torch.Tensor, torch.nn.Parameter)
    dtypes = (torch.float32, torch.float64)
    slope = kernel.grad_from_output if from_output else kernel.grad

    def run(part, t):
        """``part`` of t into a new tensor of t's layout; a permuted contiguous one runs as contiguous."""
        out = torch.empty_like(t)
        src, dst = t.detach(), out
        if not src.is_contiguous():
            order = sorted(range(src.dim()), key=src.stride, reverse=True)
            if src.permute(order).is_contiguous() and dst.permute(order).is_contiguous():
                src, dst = src.permute(order), dst.permute(order)
        part(src.numpy(), out=dst.numpy())
        return out

    def slope_times(g, t):
        return run(slope, t).mul_(g)

    class _Grad(namespace._Grad):
        """g*f'(t) by the kernel; the generated ``_Grad``'s backward (f' to g, g*f'' to t) serves double backward."""

        @staticmethod
        def forward(ctx, g, t):
            ctx.save_for_backward(g, t)
            return slope_times(g, t)

    class _Activation(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = run(kernel, x)
            ctx.save_for_backward(y if from_output else x)
            return y

        @staticmethod
        def backward(ctx, g):
            (t,) = ctx.saved_tensors
            return _Grad.apply(g, t) if torch.is_grad_enabled() else slope_times(g, t)

    def function(x):
        if (
            torch.compiler.is_compiling()
            or torch.jit.is_tracing()
            or type(x) not in plain
            or x.dtype not in dtypes
            or x.device.type != "cpu"
            or x.layout != torch.strided
            or x.is_neg()  # a lazily negated view (``torch._neg_view``): NumPy would see its memory, not it
        ):
            return generated(x)
        if not (x.requires_grad and torch.is_grad_enabled()):  # nothing to record: f alone
            return run(kernel, x)
        return _Activation.apply(x)

    function.__name__, function.__qualname__, function.__doc__ = (
        generated.__name__,
        generated.__name__,
        generated.__doc__,
    )
    (cls,) = [v for k, v in vars(namespace).items() if isinstance(v, type) and not k.startswith("_")]

    def forward(self, x):
        return function(x)

    return function, type(cls.__name__, (cls,), {"forward": forward, "__doc__": cls.__doc__})
