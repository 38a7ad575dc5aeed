"""Results shared by the processes of one test run: the pytest-xdist workers analyse each activation once.

``properties`` keeps each answer in memory, keyed by the definition (name and expression), and an answer is a
function of that key alone (a run out of budget raises and keeps nothing). ``SharedResults`` is that memory
with a folder behind it, which every worker of the run reads and writes: an answer one worker computed is
loaded by the others instead of computed again. The folder is new for each run, so no answer outlives the code
that computed it.

>>> import tempfile
>>> store = SharedResults(tempfile.mkdtemp())
>>> store[("relu", "x")] = 1
>>> other = SharedResults(store.folder)
>>> ("relu", "x") in other, other[("relu", "x")]
(True, 1)
>>> other.clear()   # as if nothing were kept: the answers already on disk are not read again
>>> ("relu", "x") in other
False
"""

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

import sympy as sp


class SharedResults(dict):
    """A dict whose entries are also files in ``folder``, found there by the other processes of the run."""

    def __init__(self, folder: str | Path) -> None:
        super().__init__()
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.forgotten: set[str] = set()

    def _path(self, key) -> Path:
        text = "|".join(sp.srepr(part) if isinstance(part, sp.Basic) else repr(part) for part in key)
        return self.folder / (hashlib.sha256(text.encode()).hexdigest() + ".pickle")

    def __contains__(self, key) -> bool:
        if super().__contains__(key):
            return True
        path = self._path(key)
        if path.name in self.forgotten or not path.exists():
            return False
        super().__setitem__(key, pickle.loads(path.read_bytes()))
        return True

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        try:
            data = pickle.dumps(value)
        except (pickle.PicklingError, TypeError, AttributeError):
            return  # kept in this process only
        path = self._path(key)
        with tempfile.NamedTemporaryFile(dir=self.folder, delete=False) as part:
            part.write(data)
        os.replace(part.name, path)  # a reader sees the whole file or none
        self.forgotten.discard(path.name)

    def clear(self) -> None:
        """Forget every answer, as the plain dict would: those on disk now are not read again here."""
        super().clear()
        self.forgotten |= {p.name for p in self.folder.iterdir()}
