"""Native loops: the machine code of the fused backend's array loops, kept on disk and run without numba.

Once numba has compiled a loop (``symact.kernels.fused``), ``save`` wraps it in a C entry ``symact_entry(x,
out...)`` taking the ndarrays themselves, keeps the object code of the entry and of what it reaches (the loop, LLVM
having inlined the rest; numba's error handling is never reached and is left out) and writes it atomically under a
name that ``file_name`` keys by all that decides its bits: the generated module's key (definition, symact and numba
versions, generator), the part, the dtype, this CPU as LLVM names it with its features, the platform, llvmlite's
version and numba's target settings. A later process ``load``\\ s it with llvmlite's MCJIT alone (tens of
milliseconds, where importing numba and loading its cache takes about a second) and calls it through ctypes, which
releases the GIL, so chunks still run side by side on ``fused``'s thread pool; a call costs what a call of numba's
loop costs. An object that would need numba's runtime or helper library is not written (nor any but ELF), and one
whose symbols do not all resolve in this process is not loaded: the caller then compiles with numba as before. A
machine whose CPU differs computes another name, so a cache folder shared between machines never gives one the code
of another.

>>> undefined_symbols(b'MZ...') is None  # not ELF: never written, never loaded
True
"""

from __future__ import annotations

import ctypes
import hashlib
import logging  # noqa: F401  (before the fork handler below: see there)
import os
import struct
import sys
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import numpy as np

__all__ = ["file_name", "save", "load", "undefined_symbols"]

ENTRY = "symact_entry"
NUMBA_ONLY = ("numba_", "NRT_", "_ZN5numba")  # symbols of numba's helper library and runtime

# Where an ndarray keeps its data pointer and its shape: NumPy's PyArrayObject_fields is PyObject_HEAD, then
# ``char *data``, ``int nd``, ``npy_intp *dimensions`` (its public ABI: what PyArray_DATA and PyArray_DIMS read).
# The entry reads them from the array objects, as taking them in Python (``x.ctypes.data``) costs microseconds
# a call; ``_layout_holds`` checks the offsets in this process, and they are part of the file's name.
_DATA_AT = object.__basicsize__
_DIMS_AT = _DATA_AT + 16

# LLVM keeps locks of its own, which a fork copies as they are: a fork while another thread is inside LLVM would
# leave the child waiting, at its first compile, for a lock that no thread of it will release. So this module
# uses LLVM only holding ``LLVM_LOCK``, and a fork waits for it and for numba's compiler lock (numba compiles only
# holding that): a compile in progress in another thread (seconds) finishes first. Python runs the handlers that
# precede a fork last registered first, so this one runs before logging's, which takes the lock that a compile
# logging a message waits for (``logging`` is imported above, before this module registers its handler).
LLVM_LOCK = threading.RLock()
_HELD: list = []  # the locks held across a fork


def _before_fork() -> None:
    LLVM_LOCK.acquire()
    _HELD.append(LLVM_LOCK)
    compiler = sys.modules.get("numba.core.compiler_lock")
    if compiler is not None:
        compiler.global_compiler_lock._lock.acquire()
        _HELD.append(compiler.global_compiler_lock._lock)


def _after_fork() -> None:
    while _HELD:
        _HELD.pop().release()


if hasattr(os, "register_at_fork"):  # no fork on Windows
    os.register_at_fork(before=_before_fork, after_in_parent=_after_fork, after_in_child=_after_fork)


@lru_cache(maxsize=1)
def _host() -> str:
    """What the machine code depends on beyond the module: the platform, this CPU as LLVM sees it, llvmlite, and
    numba's settings that change its target."""
    import llvmlite
    import llvmlite.binding as llvm

    settings = [os.environ.get(v, "") for v in ("NUMBA_CPU_NAME", "NUMBA_CPU_FEATURES", "NUMBA_OPT")]
    with LLVM_LOCK:
        cpu = [llvm.get_process_triple(), llvm.get_host_cpu_name(), llvm.get_host_cpu_features().flatten()]
    return "|".join([*cpu, llvmlite.__version__, *settings, f"{_DATA_AT},{_DIMS_AT}"])


def file_name(key: str, part: str, dtype: np.dtype) -> str:
    """The file of the native loop of ``part`` over ``dtype`` of the generated module ``key``, on this machine."""
    kind = np.dtype(dtype).name
    digest = hashlib.sha256("|".join([key, part, kind, _host()]).encode()).hexdigest()[:16]
    return f"symact_fused_{key}.{part}.{kind}.{digest}.o"


def undefined_symbols(data: bytes) -> list[str] | None:
    """The symbols an object (ELF, 64-bit, little-endian) needs from elsewhere; None for any other format."""
    if data[:6] != b"\x7fELF\x02\x01":
        return None
    start, (size, count) = struct.unpack_from("<Q", data, 0x28)[0], struct.unpack_from("<HH", data, 0x3A)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, start + i * size) for i in range(count)]
    names = []
    for _, kind, _, _, offset, length, link, _, _, step in sections:
        if kind == 2:  # the symbol table; its entry 0 is the null symbol
            strings = sections[link][4]
            for at in range(offset + step, offset + length, step):
                name, _, _, section = struct.unpack_from("<IBBH", data, at)
                if name and section == 0:  # undefined here
                    names.append(data[strings + name : data.index(b"\0", strings + name)].decode())
    return names


def save(path: Path, loop: Callable, dtype: np.dtype, nout: int) -> bool:
    """``_save``, False where it fails: the machine code is a cache, which a numba or llvmlite whose internals
    differ from these (``numba>=0.60`` allows several) keeps none of, and the kernel runs numba's loop."""
    try:
        return _save(path, loop, dtype, nout)
    except Exception:  # noqa: BLE001
        return False


def _save(path: Path, loop: Callable, dtype: np.dtype, nout: int) -> bool:
    """Write the object code of the C entry of the numba loop ``loop`` (``loop(x, *outs)`` over C-contiguous 1-d
    arrays of ``dtype``, ``nout`` outputs) to ``path``; False, writing nothing, where it would need numba."""
    if not (sys.platform.startswith("linux") and _layout_holds()):
        return False  # not an ELF platform: nothing to compile
    with LLVM_LOCK:
        data = _compile(loop, dtype, nout)
    if data is None:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)  # atomic: a concurrent process reads the whole object or none
    return True


def _compile(loop: Callable, dtype: np.dtype, nout: int) -> bytes | None:
    """The object code of ``_save``'s entry; None where it would need numba."""
    import llvmlite.binding as llvm
    from numba import carray, njit, types

    def entry(x, out, n):
        loop(carray(x, n), carray(out, n))

    def entry2(x, f, df, n):
        loop(carray(x, n), carray(f, n), carray(df, n))

    pointer = types.CPointer(types.float32 if np.dtype(dtype) == np.float32 else types.float64)
    signature = types.void(*[pointer] * (1 + nout), types.intp)
    compiled = njit(signature, nogil=True, error_model="numpy")(entry if nout == 1 else entry2)
    result = compiled.overloads[signature.args]
    library, inner = result.library, result.fndesc.mangled_name
    arrays = range(1 + nout)
    reads = "".join(
        f"  %d{i} = getelementptr i8, ptr %a{i}, i64 {_DATA_AT}\n  %p{i} = load ptr, ptr %d{i}\n" for i in arrays
    )
    pointers = ", ".join(["ptr"] * (1 + nout))
    wrapper = f"""
define void @{ENTRY}({", ".join(f"ptr %a{i}" for i in arrays)}) {{
{reads}  %dims = getelementptr i8, ptr %a0, i64 {_DIMS_AT}
  %shape = load ptr, ptr %dims
  %n = load i64, ptr %shape
  %ret = alloca ptr
  %exc = alloca ptr
  %status = call i32 @"{inner}"(ptr %ret, ptr %exc, {", ".join(f"ptr %p{i}" for i in arrays)}, i64 %n)
  ret void
}}
declare i32 @"{inner}"(ptr, ptr, {pointers}, i64)
"""
    module = llvm.parse_bitcode(library._final_module.as_bitcode())  # a copy of the optimised, linked module
    if str(module.get_function(inner).global_value_type) != f"i32 (ptr, ptr, {pointers}, i64)":
        return None  # numba's calling convention is not the one the wrapper calls
    module.link_in(llvm.parse_assembly(wrapper))
    for symbol in [*module.functions, *module.global_variables]:
        if not symbol.is_declaration and symbol.name != ENTRY:
            symbol.linkage = "internal"  # dropped below unless the entry reaches it
    manager = llvm.ModulePassManager()
    manager.add_global_dead_code_eliminate_pass()
    manager.run(module, llvm.create_pass_builder(library._codegen._tm, llvm.create_pipeline_tuning_options()))
    data = library._codegen._tm.emit_object(module)  # the target machine numba's JIT compiles with
    needed = undefined_symbols(data)
    if needed is None or any(name.startswith(NUMBA_ONLY) for name in needed):
        return None
    return data


def load(path: Path, nout: int) -> Callable | None:
    """``_load``, None where it fails (numba then compiles the loop, as without a cache)."""
    try:
        return _load(path, nout)
    except Exception:  # noqa: BLE001
        return None


def _load(path: Path, nout: int) -> Callable | None:
    """The native loop in ``path`` (``save``): ``loop(x, *outs)``, a ctypes function of ndarrays (nothing else:
    the entry reads their fields), C-contiguous, 1-d, of its dtype and of one size, that it writes ``nout`` of;
    it keeps alive the engine that holds its code. None where there is none or a symbol it needs is missing."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        needed = undefined_symbols(data)
    except (struct.error, ValueError, UnicodeDecodeError):  # not a whole object
        return None
    if needed is None or not _layout_holds():
        return None
    with LLVM_LOCK:
        return _engine(data, needed, nout)


def _engine(data: bytes, needed: list[str], nout: int) -> Callable | None:
    """``_load``'s loop from the object ``data``, which needs the symbols ``needed``."""
    llvm = _llvm()
    machine = llvm.Target.from_default_triple().create_target_machine(cpu=llvm.get_host_cpu_name(), jit=True)
    engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), machine)  # it opens this process's symbols
    if any(llvm.address_of_symbol(name) is None for name in needed):
        return None  # MCJIT would abort the process on a symbol it cannot resolve
    engine.add_object_file(llvm.ObjectFileRef.from_data(data))
    engine.finalize_object()
    address = engine.get_function_address(ENTRY)
    if not address:
        return None
    loop = ctypes.CFUNCTYPE(None, *[ctypes.py_object] * (1 + nout))(address)
    loop.engine = engine
    return loop


@lru_cache(maxsize=1)
def _layout_holds() -> bool:
    """Whether an ndarray's data pointer and shape sit at ``_DATA_AT`` and ``_DIMS_AT`` in this process."""
    probe = np.zeros(3)
    if ctypes.c_void_p.from_address(id(probe) + _DATA_AT).value != probe.ctypes.data:
        return False
    return ctypes.c_ssize_t.from_address(ctypes.c_void_p.from_address(id(probe) + _DIMS_AT).value).value == 3


@lru_cache(maxsize=1)
def _llvm():
    """llvmlite's binding, its native target ready."""
    import llvmlite.binding as llvm

    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    return llvm
