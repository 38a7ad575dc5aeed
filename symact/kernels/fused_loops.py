"""The loops of a fused kernel around its scalar functions (``symact.kernels.fused_source``): a plain loop the
compiler vectorises, or, with Taylor patches or underflow bands, a loop in blocks that computes the rare windows
only where they apply; and the element function of the ufunc.

>>> print(loops('k1_f', ['out'], [])[2])
def k1_f_loop(x, out):
"""

from __future__ import annotations

import sys

__all__ = ["CHUNK", "APART", "loops", "blocked"]

CHUNK = 512  # elements per block of a patched loop: its window indices stay in the L1 cache
APART = 8  # a block of one output with at least 1/APART of it inside the windows computes the rest apart
# elements a vectorised loop takes at a time (eight AVX-512 lanes, four unrolled) or more: the patches run over
# the gathered elements padded to a multiple of it, as LLVM leaves the remainder of a loop to scalar code
LANES = 32


def loops(
    name: str,
    outs: list[str],
    patched: list[int],
    narrow: bool = False,
    banded: bool = False,
    far: float = sys.float_info.max,
) -> list[str]:
    """A loop over flat contiguous arrays (the compiler inlines the scalar function and vectorises it), and the
    element function of the ufunc (``()->()``: numba's ufunc loops honour every stride only for these; with a
    float32 function of its own, ``narrow``, it calls ``__each``, which ``symact.kernels.fused`` makes the
    function of the element's type).

    With patches or underflow bands (``banded``), the loop runs in blocks: it gathers the elements inside the
    windows of each patched output (before writing, as ``out`` may be x), runs the function without patches
    and bands over the block; a block with an element in an underflow band (rare: the results there are near
    underflow) it computes again whole with the bands (``__rare``, from a copy of x where ``out`` is x); then
    the patches over the gathered elements alone, scattered back, so that a rare window costs only where it
    applies. A block of one output without bands and with at least 1/``APART`` of it inside the windows gathers
    the elements outside them too, and runs the float64 function without patches over those alone. A block
    that meets an x past ``far`` (``fused_source.far``: where the guard, signs and limits act) or NaN runs the
    whole function (these are rare; their selects in every element cost silu' 40%).
    """
    each = ", ".join(f"{o}[i]" for o in outs)
    head = f"def {name}_loop(x, {', '.join(outs)}):"
    loop = [head, "    for i in range(x.size):", f"        {each} = {name}(x[i])"]
    if patched or banded:
        loop = blocked(name, outs, patched, banded, far=far)
    first = ", ".join(f"{o}[0]" for o in outs)
    element = f"{name}__each" if narrow else name
    return ["", "", *loop, "", "", f"def {name}_ufunc(x_in, {', '.join(outs)}):", f"    {first} = {element}(x_in)"]


def blocked(
    name: str, outs: list[str], patched: list[int], banded: bool = False, narrow: bool = False, *, far: float
) -> list[str]:
    """``loops``' loop in blocks (``narrow``: the float32 ``_loop32``), calling the function without patches
    (``__bulk``, with ``banded`` the flag of the bands last; ``__32bulk``) and the windows and patches of ``name``
    (float64, stored rounded into float32; ``narrow``: the float32 windows', ``_32``). A float64 block with many
    elements inside the windows computes the function without patches only outside them (one output, no bands):
    it pays for the float64 forms, not for vmath32's short ones (float32 swish f' took 1.8x the time). The
    functions without patches are ``lean``: a block with an element past ``far`` (or NaN) runs the whole scalar
    function instead (``name``; ``__32``), checked before anything is written (``out`` may be x)."""
    loop_name, bulk, tag = (f"{name}_loop32", "__32bulk", "_32") if narrow else (f"{name}_loop", "__bulk", "")
    whole = "__32" if narrow else ""
    block = ", ".join(f"{o}_b[i]" for o in outs)
    loop = [f"def {loop_name}(x, {', '.join(outs)}):"]
    apart = len(outs) == 1 and not (banded or narrow)
    room = [(f"{a}{i}", t) for i in patched for a, t in (("at", "np.intp"), ("xw", "np.float64"), ("pw", "np.float64"))]
    room += [("xc", "np.float64")] * banded + [("at", "np.intp"), ("xa", "x.dtype"), ("pa", f"{outs[0]}.dtype")] * apart
    loop += [f"    {a} = scratch({CHUNK + LANES}, {t})" for a, t in room]
    if banded:
        same = " | ".join(f"(x.ctypes.data == {o}.ctypes.data)" for o in outs)
        loop += [f"    in_place = {same}"]
    blocks = ", ".join(f"{o}[start : start + {CHUNK}]" for o in ["x", *outs])
    loop += [f"    for start in range(0, x.size, {CHUNK}):", f"        xs, {block.replace('[i]', '')} = {blocks}"]
    loop += [
        "        rare = False",
        "        for i in range(xs.size):",
        f"            rare |= not abs(xs[i]) <= {far!r}",
    ]
    loop += [
        "        if rare:",
        "            for i in range(xs.size):",
        f"                {block} = {name}{whole}(xs[i])",
    ]
    loop += ["            continue"]
    for i in patched:
        loop += [f"        k{i} = 0", "        for i in range(xs.size):"]
        loop += [f"            at{i}[k{i}] = i", f"            xw{i}[k{i}] = xs[i]"]
        if apart:
            loop += ["            at[i - k0] = i", "            xa[i - k0] = xs[i]"]
        loop += [f"            k{i} += {name}__window{i}{tag}(xs[i])"]
    if apart:  # with an eighth of the block inside the windows, gathering the rest costs less than computing them
        loop += [f"        if k0 * {APART} >= xs.size:", "            for j in range(xs.size - k0):"]
        loop += [f"                pa[j] = {name}{bulk}(xa[j])", "            for j in range(xs.size - k0):"]
        loop += [f"                {outs[0]}_b[at[j]] = pa[j]", "        else:"]
        loop += ["            for i in range(xs.size):", f"                {block} = {name}{bulk}(xs[i])"]
    elif banded:
        loop += ["        if in_place:", "            for i in range(xs.size):", "                xc[i] = xs[i]"]
        loop += ["        band = 0", "        for i in range(xs.size):"]
        loop += [f"            {block}, b = {name}{bulk}(xs[i])", "            band += b"]
        loop += ["        if band:", "            for i in range(xs.size):"]
        loop += [f"                {block} = {name}__rare(xc[i] if in_place else xs[i])"]
    else:
        loop += ["        for i in range(xs.size):", f"            {block} = {name}{bulk}(xs[i])"]
    for i in patched:  # over whole vectors (LANES): a remainder loop would not be vectorised
        loop += [f"        for j in range(k{i}, (k{i} + {LANES - 1}) & {-LANES}):", f"            xw{i}[j] = 0.0"]
        loop += [f"        for j in range((k{i} + {LANES - 1}) & {-LANES}):"]
        loop += [f"            pw{i}[j] = {name}__patch{i}{tag}(xw{i}[j])"]
        loop += [f"        for j in range(k{i}):", f"            {outs[i]}_b[at{i}[j]] = pw{i}[j]"]
    return loop
