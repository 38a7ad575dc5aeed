"""Training progress for ``MLP(verbose=True)``: a tqdm bar when tqdm is installed, else one line per epoch.

>>> report = Progress(total=2, enabled=True, bar=False)
>>> report.update(loss=0.5, accuracy=0.75)  # doctest: +ELLIPSIS
epoch 1/2: loss 0.500000, accuracy 0.750, ... s
>>> report.close()
"""

from __future__ import annotations

import sys
import time

__all__ = ["Progress"]


class Progress:
    """Reports each epoch's loss, training accuracy (classifiers) and elapsed time; silent unless ``enabled``."""

    def __init__(self, total: int | None, enabled: bool, bar: bool | None = None) -> None:
        self.total, self.enabled, self.epoch = total, enabled, 0
        self.start = time.perf_counter()
        self._bar = None
        if enabled and bar is not False:
            try:
                from tqdm.auto import tqdm  # optional: a bar in notebooks and terminals
            except ImportError:
                tqdm = None
            if tqdm is not None:
                self._bar = tqdm(total=total, unit="epoch", file=sys.stdout)

    def update(self, loss: float, accuracy: float | None = None) -> None:
        """One epoch done with this mean training ``loss`` (and ``accuracy`` for a classifier)."""
        self.epoch += 1
        if not self.enabled:
            return
        seconds = time.perf_counter() - self.start
        if self._bar is not None:
            shown = {"loss": f"{loss:.6f}"} | ({} if accuracy is None else {"accuracy": f"{accuracy:.3f}"})
            self._bar.set_postfix(shown, refresh=False)
            self._bar.update(1)
            return
        of = f"/{self.total}" if self.total else ""
        acc = "" if accuracy is None else f", accuracy {accuracy:.3f}"
        print(f"epoch {self.epoch}{of}: loss {loss:.6f}{acc}, {seconds:.2f} s", flush=True)

    def close(self) -> None:
        """Close the bar (a no-op for the plain lines)."""
        if self._bar is not None:
            self._bar.close()
