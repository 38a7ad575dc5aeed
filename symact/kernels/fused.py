"""The fused backend: one compiled loop per kernel part, and genuine NumPy ufuncs (needs the optional numba).

``symact.kernels.fused_source`` prints the definition's kernel plans (``symact.kernels.plan``) as straight-line
scalar code calling ``symact.kernels.scalar``'s helpers, with each output's post-pass (Taylor patches, NaN guard,
limits at +-inf) written into the function as selects; no NumPy kernel is built. A call on a contiguous array runs a
numba loop over it, which LLVM vectorises (``symact.kernels.vmath`` replaces the C library's exp, expm1, log1p and
tanh, whose calls would stop it); f, f', f'', f' from the output, and ``value_and_grad`` (f and f' in one pass
sharing subexpressions). The loop of an output with Taylor patches runs in blocks and evaluates the patches only at
the elements inside their windows; one whose nodes differ only in their underflow bands
(``symact.kernels.underflow``: silu's f and f') computes them once, as they are outside the bands, and a block that
meets a band again whole, with the bands; a plan whose float32 result is the float64 one rounded (``native32``) has
a float32 loop computing in float32, and one with a ``float32`` bound a float32 loop calling
``symact.kernels.vmath32``'s short functions. Any other layout of x or ``out`` runs the loop on contiguous copies
(``symact.kernels.arrays``). Array types with ``__array_ufunc__`` (dask) get the ufuncs: numba ``@guvectorize``
loops of the same scalar functions, with scalar core dimensions (its ``@vectorize`` loop ignores the stride of the
output when the input is contiguous). The ufuncs' float32 loops compute what the float32 array loops compute; from
``PARALLEL_THRESHOLD`` elements on, chunks run on a thread pool (``symact.kernels.chunks``).

Cache: the generated module is written to ``cache_dir()`` (``$SYMACT_CACHE_DIR``, else ``~/.cache/symact``), under a
name hashed from the definition (expression, parameters, kink policy), the backend, the symact and numba versions
and the code generator's source, a digest of its source closing it (a file not as written is written again); numba
caches the compiled loops beside it, and ``symact.kernels.native`` their machine code for this CPU, which a later
process runs with llvmlite alone: it imports neither numba nor the module (the ufuncs compile once per process, as
numba's cache of a gufunc is not safe for processes sharing it). ``clear_cache()`` (or deleting the folder) empties
it. A kernel or ufunc pickles with its definition and generated source, so a process with an empty cache of its own
(a Dask worker on another machine) writes the source there and compiles it, without symbolic work; where numba
is missing or cannot be imported, the kernel loads as the NumPy kernel of its definition (``fallback``).
``symact.kernels.build`` builds a kernel from a definition; this module imports no symbolic code, so
``symact.kernels.api`` serves a kernel the disk cache holds without it.

>>> import numpy as np, symact
>>> k = symact.kernel('silu')      # backend='auto': the fused kernel when numba is installed, NumPy's otherwise
>>> k(np.array([-1.0, 0.0, 2.0], dtype=np.float32))
array([-0.26894143,  0.        ,  1.7615942 ], dtype=float32)
"""

from __future__ import annotations

import copyreg
import hashlib
import importlib.util
import os
import shutil
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from symact.errors import ParameterError
from symact.kernels import native
from symact.kernels.arrays import as_input, check_outs, deliver, in_place, plain_outs
from symact.kernels.base import PARTS, Kernel
from symact.kernels.chunks import MEMORY_BOUND_THRESHOLD, PARALLEL_THRESHOLD, run_in_chunks, set_threads
from symact.version import __version__

if TYPE_CHECKING:  # this module imports no symbolic code: a kernel served from the disk runs without it
    from symact.kernels.definition import Definition

__all__ = [
    "available",
    "FusedKernel",
    "NoScalarForm",
    "function_name",
    "module_key",
    "module_path",
    "cache_dir",
    "clear_cache",
    "set_threads",
    "PARALLEL_THRESHOLD",
    "MEMORY_BOUND_THRESHOLD",
]


def available() -> bool:
    """Whether numba can be imported (the ``fast`` extra)."""
    return importlib.util.find_spec("numba") is not None


def cache_dir() -> Path:
    """Where generated kernels and numba's compiled loops live: ``$SYMACT_CACHE_DIR`` or ``~/.cache/symact``."""
    return Path(os.environ.get("SYMACT_CACHE_DIR") or Path.home() / ".cache" / "symact") / "fused"


def clear_cache() -> int:
    """Delete every cached generated kernel and compiled loop; return how many files went."""
    root = cache_dir()
    count = sum(1 for p in root.rglob("*") if p.is_file()) if root.exists() else 0
    shutil.rmtree(root, ignore_errors=True)
    return count


# ---- keys, the disk cache, loading ------------------------------------------------------------------


@lru_cache(maxsize=1)
def _generator_hash() -> str:
    """Hash of the code that decides what a kernel computes (every module of symact: the derivation's
    simplifications, the catalog and the kink rules as well as the generator): a change there is a new key."""
    package = Path(__file__).parents[1]
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package)}\0".encode() + path.read_bytes())
    return digest.hexdigest()


@lru_cache(maxsize=1)
def _numba_release() -> str:
    """numba's release, from its ``_version.py`` without importing numba (a third of a second)."""
    path = Path(importlib.util.find_spec("numba").origin).with_name("_version.py")  # versioneer's, in every release
    return hashlib.sha256(path.read_bytes()).hexdigest()


def module_key(definition: Definition) -> str:
    """The generated module's key: the definition's, the backend, the versions and the generator's source."""
    text = "|".join([definition.key, "numba", __version__, _numba_release(), _generator_hash()])
    return hashlib.sha256(text.encode()).hexdigest()[:24]


class NoScalarForm(ParameterError):
    """A definition that the fused backend cannot compile (a stable node that ``symact.kernels.scalar`` has no
    scalar version of, or a loop numba rejects)."""


class CacheUnwritable(ParameterError):
    """A cache folder the fused backend cannot write its generated module to (numba imports it from there)."""

    def __init__(self, err: OSError):
        problem = f"'numba' needs a cache folder it can write ({cache_dir()}: {err}); set SYMACT_CACHE_DIR"
        super().__init__("kernel", "backend", problem)


def function_name(key: str, part: str) -> str:
    """The loop's function name, which is also its ufunc's ``__name__`` (unique per definition and part).

    >>> function_name('k1', 'grad')
    'symact_k1_grad'
    """
    return f"symact_{key}_{part}"


def module_path(key: str) -> Path:
    """Where the generated module of ``key`` is cached."""
    return cache_dir() / f"symact_fused_{key}.py"


def _written(key: str, build) -> str:
    """The generated module's source for ``key``: read from the cache, else (missing, or not as written: a digest
    of the source ends the file) written there by ``build()`` first (``CacheUnwritable`` where it cannot be)."""
    text = _cached(key)
    if text is None:
        text = build()
        path = module_path(key)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")  # one per writer, threads too
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(f"{text}\n# sha256 {hashlib.sha256(text.encode()).hexdigest()}\n")
            os.replace(tmp, path)  # atomic: a concurrent process sees the whole file or none
        except OSError as err:
            raise CacheUnwritable(err) from None
    return text


def _cached(key: str) -> str | None:
    """The generated module of ``key`` that the cache holds; None where it holds none, or one whose source does
    not match the digest that ends the file (a truncated or edited file)."""
    try:
        text, _, digest = module_path(key).read_text().rpartition("\n# sha256 ")
    except (OSError, ValueError):
        return None
    return text if digest == f"{hashlib.sha256(text.encode()).hexdigest()}\n" else None


def _load_module(key: str, text: str):
    """The generated module ``text`` of ``key`` imported (with numba) from the cache; its source is ``SOURCE``
    (``NoScalarForm`` where numba cannot be imported)."""
    name = f"symact_fused_{key}"
    if name in sys.modules:
        return sys.modules[name]
    _written(key, lambda: text)
    spec = importlib.util.spec_from_file_location(name, module_path(key))
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ImportError as err:  # numba installed but broken (built for another NumPy), or gone since
        raise NoScalarForm("kernel", "backend", f"numba cannot be imported ({err})") from None
    module.SOURCE = text
    sys.modules[name] = module
    return module


_F32, _F64 = "float32", "float64"


def _scalar(module, key: str, part: str) -> None:
    """The scalar functions of ``part`` (its own and its patch helpers ``name__*``) and of the parts it calls
    (``name_USES``), made numba functions that LLVM inlines into their callers (``forceinline``, as
    ``vmath.jit``; once per module), but ``__rare``, which the loop calls only in the blocks that meet an
    underflow band."""
    from numba import njit

    name = function_name(key, part)
    for used in getattr(module, name + "_USES", ()):  # the parts whose functions it calls
        _scalar(module, key, used)
    for attr in [a for a in list(vars(module)) if a == name or a.startswith(name + "__")]:  # threads add to it
        fn = getattr(module, attr)
        if not hasattr(fn, "py_func") and attr != name + "__each":  # a numba dispatcher has py_func
            setattr(module, attr, njit(forceinline=attr != name + "__rare", error_model="numpy")(fn))
    if hasattr(module, name + "__32") and not hasattr(module, name + "__each"):
        setattr(module, name + "__each", _by_type(getattr(module, name), getattr(module, name + "__32")))


def _by_type(wide, narrow):
    """A function numba compiles as ``narrow`` for a float32 argument and as ``wide`` otherwise: the ufunc's
    element function, so that its float32 loop gives what the float32 array loop gives."""
    from numba import types
    from numba.extending import overload

    def each(x):  # pragma: no cover - numba replaces it by the overload below
        raise NotImplementedError

    overload(each, inline="always")(lambda x: (lambda x: narrow(x)) if x == types.float32 else (lambda x: wide(x)))
    return each


def _build_ufunc(module, key: str, part: str) -> np.ufunc:
    """The ufunc of ``part``: numba's ``@guvectorize`` with scalar core dimensions, whose loop honours the
    strides of every operand (its ``@vectorize`` loop writes a strided output contiguously when the input is
    contiguous), with the float32 loop first so that float32 is not promoted."""
    from numba import guvectorize

    _scalar(module, key, part)
    nout = 2 if part == "value_and_grad" else 1
    sigs = [f"void({t}{f', {t}[:]' * nout})" for t in (_F32, _F64)]
    layout = "()->" + ",".join(["()"] * nout)
    # Not cached on disk: two processes compiling one gufunc into a shared cache can leave it a pair of files
    # that disagree on a symbol's name, and every later process that loads them crashes (numba issue 10128).
    u = guvectorize(sigs, layout)(getattr(module, function_name(key, part) + "_ufunc")).ufunc
    if not _NUMPY_REDUCE:  # NumPy pickles a ufunc by name, which a process with another cache cannot resolve
        _NUMPY_REDUCE.append(copyreg.dispatch_table.get(np.ufunc, np.ufunc.__reduce__))
        copyreg.pickle(np.ufunc, _reduce_ufunc)
    _SOURCES[u] = (key, module.SOURCE, part)
    return u


def _reduce_ufunc(u: np.ufunc):
    """A fused ufunc pickles with its generated source (any other ufunc as NumPy pickles it)."""
    found = _SOURCES.get(u)
    return (_ufunc, found) if found else _NUMPY_REDUCE[0](u)


def _ufunc(key: str, text: str, part: str) -> np.ufunc:
    """The ufunc of ``part`` of the generated module ``text``, written to this process's cache if missing."""
    found = _UFUNCS.get((key, part))
    if found is None:
        if not available():
            raise ParameterError("kernel", "ufunc", "of the fused backend needs numba: pip install 'symact[fast]'")
        found = _UFUNCS[(key, part)] = _build_ufunc(_load_module(key, text), key, part)
    return found


def _build_loop(module, key: str, part: str, dtype: np.dtype, nout: int):
    """The loop of ``part`` over flat contiguous arrays of ``dtype``, which the compiler vectorises (the ufunc's
    loop does not, once the scalar function is long), compiled (numba caches it on disk), its machine code kept
    by ``symact.kernels.native`` for the next process. A float32 loop of its own (``loop32``) serves float32
    where the plan is ``native32`` or has a ``float32`` bound. ``forceinline``: LLVM inlines the loop into the
    native entry, where the arrays' null memory-info pointers fold numba's reference counting away."""
    from numba import njit
    from numba.core.errors import NumbaError

    _scalar(module, key, part)
    name = function_name(key, part)
    loop = getattr(module, name + "_loop32", None) if dtype == np.float32 else None
    loop = njit(cache=True, nogil=True, error_model="numpy", forceinline=True)(loop or getattr(module, name + "_loop"))
    try:
        loop.compile(f"({', '.join([f'{dtype.name}[::1]'] * (1 + nout))})")
    except NumbaError as err:
        first = str(err).strip().splitlines()[0][:200]
        raise NoScalarForm("kernel", "backend", f"numba cannot compile this kernel ({first})") from None
    native.save(cache_dir() / native.file_name(key, part, dtype), loop, dtype, nout)
    return loop


# ---- the kernel ---------------------------------------------------------------------------------


class FusedKernel(Kernel):
    """f, f', f'' and f' from the output of one activation as numba loops and ufuncs.

    Calls take ``out=`` and ``where=`` as ufuncs do, keep float16/32/64 and the shape; array types with
    ``__array_ufunc__`` (dask.array) are handed the ufunc and stay lazy, but for a call with ``out=``, which
    computes them into ``out``.
    """

    backend = "numba"

    def __init__(
        self,
        text: str,
        key: str,
        definition: Definition | Callable[[], Definition],
        name: str = "",
        fallback: Callable[[Definition], Kernel] | None = None,
    ):
        """``text``: the generated module of ``key`` (one for every name of the definition), imported to compile;
        ``definition``, or a function that resolves it when first needed (then ``name`` is its name);
        ``fallback``: a module-level function giving the NumPy kernel of a definition, which the pickle carries
        (by name) for a process that cannot run this one (no numba there, or no cache folder it can write)."""
        self._source, self._key, self._definition, self._fallback = text, key, definition, fallback
        self._name = name if callable(definition) else definition.name
        self._plans: dict[tuple[str, np.dtype], tuple] = {}

    @property
    def definition(self) -> Definition:
        """The definition the kernel computes (resolved on first use where the kernel came from the disk index)."""
        if callable(self._definition):
            self._definition = self._definition()
        return self._definition

    @property
    def name(self) -> str:
        """The activation's name (empty for an unnamed expression)."""
        return self._name

    @property
    def has_output_form(self) -> bool:
        """Whether f' can be computed from the output y = f(x) alone (``grad_from_output``)."""
        return "\nHAS_OUTPUT_FORM = True\n" in self._source

    def ufunc(self, part: str = "f") -> np.ufunc:
        """The NumPy ufunc of ``part`` (one of ``PARTS``); it pickles with its generated source."""
        if part not in PARTS or (part == "grad_from_output" and not self.has_output_form):
            raise ParameterError("kernel", "part", f"must be one of {', '.join(PARTS)}, got {part!r}", PARTS)
        return _ufunc(self._key, self._source, part)

    def _loop(self, part: str, dtype: np.dtype):
        """The loop of ``part`` for ``dtype``: its machine code from the disk cache (no numba), else numba's."""
        found = _LOOPS.get((self._key, part, dtype))
        if found is None:
            nout = 2 if part == "value_and_grad" else 1
            found = native.load(cache_dir() / native.file_name(self._key, part, dtype), nout)
            if found is None:
                found = _build_loop(_load_module(self._key, self._source), self._key, part, dtype, nout)
            _LOOPS[(self._key, part, dtype)] = found
        return found

    def _plan(self, part: str, dtype: np.dtype) -> tuple:
        """(loop, elements from which it runs on threads) of ``part`` for an array of ``dtype`` (float32 or 64)."""
        found = self._plans.get((part, dtype))
        if found is None:
            cheap = f"\n{function_name(self._key, part)}_MEMORY_BOUND = True\n" in self._source
            found = (self._loop(part, dtype), MEMORY_BOUND_THRESHOLD if cheap else PARALLEL_THRESHOLD)
            self._plans[(part, dtype)] = found
        return found

    def prepare(self) -> None:
        """f's float64 loop now: what numba cannot compile is a ``NoScalarForm`` at ``kernel()`` (``'auto'``: NumPy)."""
        self._loop("f", np.dtype(np.float64))

    def _run(self, part: str, values, out, where):
        """``part`` at ``values``: the flat loop over a C-contiguous, aligned copy of x (x itself when it is one) into
        ``out`` where ``arrays.in_place`` allows it, else into fresh arrays that ``arrays.deliver`` writes out."""
        nout = 2 if part == "value_and_grad" else 1
        lazy = out is None and where is True  # out= computes a dask array into out, as the NumPy backend does
        if lazy and not isinstance(values, (np.ndarray, np.generic)) and hasattr(values, "__array_ufunc__"):
            if nout == 2:  # two single-output ufuncs: array libraries rarely dispatch two-output ones
                return self.ufunc("f")(values), self.ufunc("grad")(values)
            return self.ufunc(part)(values)
        plain = plain_outs(values, out, where, nout)
        if plain is not None:  # the common call: no conversion, nothing to check or deliver
            run_in_chunks(*self._plan(part, values.dtype), values, plain)
            return plain if nout == 2 else plain[0]
        array, dtype, scalar = as_input(values)
        outs = check_outs(array.shape, out, where, nout)
        work = np.float32 if dtype == np.float32 else np.float64  # float16: rounded once, from the float64 loop
        array = np.require(array.astype(work, order="C", copy=False), requirements="CA")  # contiguous, aligned
        direct = array.dtype == dtype and in_place(array, outs, where)  # float16: out takes float16's values
        results = outs if direct else tuple(np.empty_like(array) for _ in range(nout))
        run_in_chunks(*self._plan(part, array.dtype), array, results)
        done = deliver(results, dtype, scalar, outs, where)
        return done if nout == 2 else done[0]

    def source(self) -> str:
        """The generated scalar code of every part."""
        return self._source

    def __reduce__(self):
        """Pickled with its definition (the catalog entry itself, not a name), its generated source and its
        ``fallback``, so that a process with an empty cache of its own rebuilds it without symbolic work, and one
        without numba (or without a cache folder it can write) gets the NumPy kernel, as ``backend='auto'``."""
        return _restore, (self._key, self._source, self.definition, self._fallback)


def _restore(key: str, text: str, definition: Definition, fallback: Callable | None = None) -> Kernel:
    """The kernel of a pickle: this process's fused kernel of ``definition``, else ``fallback(definition)``
    where numba is missing or the cache cannot be written (a ``ParameterError`` without a fallback)."""
    found = _KERNELS.get((definition.key, definition.name))
    if found is None:
        try:
            if not available():
                raise ParameterError("kernel", "backend", "'numba' needs numba: pip install 'symact[fast]'")
            found = FusedKernel(_written(key, lambda: text), key, definition, fallback=fallback)
            found.prepare()
        except ParameterError:  # NoScalarForm, CacheUnwritable, no numba
            if fallback is None:
                raise
            return fallback(definition)
        _KERNELS[(definition.key, definition.name)] = found
    return found


_KERNELS: dict[tuple[str, str], FusedKernel] = {}  # by the definition's key and name, as a Definition is equal
_LOOPS: dict[tuple[str, str, np.dtype], object] = {}  # by definition key, part and dtype, shared by every name
_UFUNCS: dict[tuple[str, str], np.ufunc] = {}
_SOURCES: dict[np.ufunc, tuple[str, str, str]] = {}  # what a fused ufunc's pickle carries: key, source, part
_NUMPY_REDUCE: list = []  # how NumPy pickles every other ufunc
