r"""Lecture notes: one self-contained LaTeX document with the catalog, its plots and the theorems.

``document()`` returns the LaTeX text; ``write()`` saves it (with matplotlib figures when asked)
and compiles it with ``pdflatex`` when ``pdf=True``. The document needs only the packages of
Debian's texlive-latex-base and texlive-latex-recommended.

>>> tex = document(['relu', 'sigmoid'], theorems=False, figures='none')
>>> tex.splitlines()[0], tex.rstrip().splitlines()[-1]
('\\documentclass[11pt]{article}', '\\end{document}')
"""

from __future__ import annotations

import math
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from symact.analysis.tables import table
from symact.budget import DEFAULT_BUDGETS, validate, within
from symact.catalog import VectorActivation, get
from symact.catalog import names as catalog_names
from symact.chapter.registry import SECTIONS, run_all, select
from symact.chapter.theorem import Theorem
from symact.errors import SymactError
from symact.formula import MACROS, escape
from symact.render import latex
from symact.render.plotting import curves, plot

__all__ = ["PREAMBLE", "document", "picture", "write", "compile_pdf", "theorem_results"]

_ERROR = re.compile(r"^(!|\S+\.tex:\d+:)")

FIGURES = ("auto", "matplotlib", "picture", "none")

PREAMBLE = (
    r"""\documentclass[11pt]{article}
\usepackage[a4paper,margin=2.3cm]{geometry}
\usepackage{amsmath,amssymb,amsthm}
\allowdisplaybreaks
\usepackage{graphicx,xcolor}
\usepackage{booktabs,longtable}
\newtheorem{theorem}{Theorem}
\definecolor{fcolor}{rgb}{0.12,0.47,0.71}
\definecolor{dfcolor}{rgb}{0.84,0.15,0.16}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.5em}
\setlength{\emergencystretch}{3em}
"""
    + MACROS
)

INTRODUCTION = r"""These notes collect the activation functions of PyTorch and JAX. Each is defined once,
as a symbolic expression; every formula below, the plots, and the proofs are generated from that
definition and checked. A layer follows the row-vector convention $\mathbf{X}\mathbf{W} + \mathbf{b}$.
Where an activation has a kink its derivative there is a convention, not a fact: we give both
one-sided derivatives and the value %s uses, and an identity between derivatives is proved where the
function is differentiable, its kinks left out. A statement is \emph{proved} only by a symbolic or exact
argument valid for everything it quantifies over (or a cited lemma); a numerical check, or a check on finitely
many instances of a general statement, is marked \emph{checked}, never proved. Named functions: $\sigma(x) = 1/(1 + e^{-x})$ is the
logistic sigmoid, $\Phi$ the standard normal distribution function, and
$\operatorname{softplus}(x) = \log(1 + e^{x})$. Writing $y = f(x)$, many derivatives can be computed
from the output alone; the last line of each block gives that form when it exists."""


TITLE = "Activation functions: definitions, derivatives and proofs"


def document(
    names: Iterable[str] | None = None,
    kink: str = "torch",
    figures: str = "auto",
    figure_dir: str | Path | None = None,
    theorems: bool | str | Iterable[str] = True,
    properties: bool = True,
    title: str = TITLE,
    author: str = "",
    date: str = "",
    proofs: bool = True,
    budget: float | None = DEFAULT_BUDGETS["notes"],
) -> str:
    """The whole notes document as LaTeX text.

    ``names``: the activations (default: the elementwise catalog). ``figures``: ``'matplotlib'``
    writes a PDF per activation into ``figure_dir`` (a folder beside the ``.tex`` file) and
    includes it; ``'picture'`` draws the curves with LaTeX's own ``picture`` environment (no
    files); ``'auto'`` takes matplotlib when it is installed and ``figure_dir`` is given;
    ``'none'`` leaves plots out. ``theorems``: ``True`` adds the chapter's theorems
    (``symact.chapter``): all of them, or with ``names`` those concerning these activations plus
    the general ones; a list of theorem names or section keys picks them; ``False`` none.
    ``proofs=False`` prints each theorem with its verdict only (a handout). ``properties``: add the
    table of properties (``symact.table``). ``title``, ``author`` and ``date`` go to the title.
    ``budget`` bounds the seconds spent on the whole document (``ProofTimeout`` past it).
    """
    if figures not in FIGURES:
        raise SymactError(f"figures={figures!r} is not one of {', '.join(FIGURES)}")
    with within(validate(budget, "notes"), "notes"):
        return _document(names, kink, figures, figure_dir, theorems, properties, title, author, date, proofs)


def _document(names, kink, figures, figure_dir, theorems, properties, title, author, date, proofs) -> str:
    chosen = names is not None
    names = list(names) if names is not None else catalog_names(vector=True)
    vectors = [n for n in names if isinstance(get(n), VectorActivation)]
    names = [n for n in names if n not in vectors]
    selected = _selected(theorems, names if chosen else None)
    mode = _figure_mode(figures, figure_dir)
    parts = [
        PREAMBLE,
        rf"\title{{{with_math(title)}}}",
        rf"\author{{{with_math(author)}}}",
        rf"\date{{{with_math(date)}}}",
        r"\begin{document}",
        r"\maketitle",
        INTRODUCTION % escape(_convention(kink)),
        r"\section{The catalog}",
        "Each activation with its derivative, and the derivative written from the output $y = f(x)$ "
        "where one exists (--- where $f$ cannot be inverted).",
        latex.catalog_table(names, kink=kink),
        *(_properties_section(names) if properties else []),
        r"\section{The activations one by one}",
        r"In the plots, {\color{fcolor}$f$ is drawn in blue} and {\color{dfcolor}$f'$ in red}.",
    ]
    for name in names:
        parts.append(latex.activation(name, kink=kink, figure=_figure(name, mode, figure_dir, kink)))
    if vectors:
        parts.append(r"\section{Vector activations}")
        parts += [latex.vector_activation(name) for name in vectors]
    if selected:
        parts += _theorem_section(theorem_results(selected), proofs)
    parts.append(r"\end{document}")
    return "\n\n".join(parts) + "\n"


_UNSAFE = re.compile(
    r"\\(input|include|write|openout|openin|read|def|edef|gdef|let|catcode|immediate|csname|"
    r"newcommand|renewcommand|usepackage|special|url|href)(?![A-Za-z])"
)


def with_math(text: str) -> str:
    r"""Text for LaTeX with its ``$...$`` math kept as math and the rest escaped; unbalanced dollars, or math that
    reads or writes files or defines commands, are escaped as text.

    >>> print(with_math(r'Notes on $x_1 \le x_2$ & more'), with_math('costs $5'))
    Notes on $x_1 \le x_2$ \& more costs \$5
    """
    parts = text.split("$")
    if len(parts) % 2 == 0 or any(_UNSAFE.search(math) or not math.strip() for math in parts[1::2]):
        return escape(text)
    return "".join(escape(part) if i % 2 == 0 else f"${part}$" for i, part in enumerate(parts))


def _selected(theorems, names) -> list:
    """The theorems to print: see ``document``."""
    if theorems is False or theorems is None:
        return []
    if theorems is True:
        return select(activations=names)
    if isinstance(theorems, str):
        theorems = [t.strip() for t in theorems.split(",") if t.strip()]
    return select(list(theorems))


def _convention(kink: str) -> str:
    return {"torch": "PyTorch", "jax": "JAX"}.get(kink, f"the {kink} convention")


def _figure_mode(figures: str, figure_dir) -> str:
    if figures == "auto":
        if figure_dir is None:
            return "picture"
        try:
            import matplotlib  # noqa: F401
        except ImportError:
            return "picture"
        return "matplotlib"
    if figures == "matplotlib" and figure_dir is None:
        raise SymactError("figures='matplotlib' needs figure_dir, the folder where the plots are written")
    return figures


def _figure(name: str, mode: str, figure_dir, kink: str) -> str | None:
    if mode == "none":
        return None
    if mode == "picture":
        body = picture(name, kink=kink)
    else:
        folder = Path(figure_dir)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name.replace('_', '-')}.pdf"
        plot([name], derivative=True, path=path, kink=kink, figsize=(4.2, 2.5), legend=False)
        body = r"\includegraphics[width=0.62\linewidth]{%s/%s}" % (folder.name, path.name)
    caption = rf"\\[-0.3em]{{\small $\operatorname{{{escape(name)}}}$ and its derivative on $[-4, 4]$}}"
    return r"\begin{center}" + "\n" + body + caption + "\n" + r"\end{center}"


def picture(
    name: str, xlim: tuple[float, float] = (-4.0, 4.0), width: float = 72.0, height: float = 42.0, kink: str = "torch"
) -> str:
    r"""f and f' drawn with LaTeX's ``picture`` environment (straight ``\qbezier`` segments, unit 1 mm).

    >>> print(picture('relu').splitlines()[0])
    \setlength{\unitlength}{1mm}\begin{picture}(72,48)(-8,-6)
    """
    c = curves(name, xlim=xlim, points=161, kink=kink)
    both = np.concatenate([c.f, c.df])
    finite = both[np.isfinite(both)]
    ylo = max(-4.0, math.floor(min(-1.0, finite.min())))
    yhi = min(6.0, math.ceil(max(1.0, finite.max())))
    x0, x1 = xlim
    sx, sy = width / (x1 - x0), height / (yhi - ylo)

    def px(v):
        return (v - x0) * sx

    def py(v):
        return (v - ylo) * sy

    out = [rf"\setlength{{\unitlength}}{{1mm}}\begin{{picture}}({width:g},{height + 6:g})(-8,-6)"]
    out.append(r"{\color[gray]{0.55}\linethickness{0.2pt}")
    out.append(rf"\put(0,0){{\framebox({width:g},{height:g}){{}}}}")
    if ylo < 0 < yhi:
        out.append(rf"\put(0,{py(0):.2f}){{\line(1,0){{{width:g}}}}}")
    if x0 < 0 < x1:
        out.append(rf"\put({px(0):.2f},0){{\line(0,1){{{height:g}}}}}")
    out.append("}")
    labels = [
        rf"\put({px(x0):.2f},-1.5){{\makebox(0,0)[t]{{\scriptsize ${x0:g}$}}}}",
        rf"\put({px(x1):.2f},-1.5){{\makebox(0,0)[t]{{\scriptsize ${x1:g}$}}}}",
        rf"\put(-1.5,{py(ylo):.2f}){{\makebox(0,0)[r]{{\scriptsize ${ylo:g}$}}}}",
        rf"\put(-1.5,{py(yhi):.2f}){{\makebox(0,0)[r]{{\scriptsize ${yhi:g}$}}}}",
    ]
    if x0 < 0 < x1:
        labels.append(rf"\put({px(0):.2f},-1.5){{\makebox(0,0)[t]{{\scriptsize $0$}}}}")
    if ylo < 0 < yhi:
        labels.append(rf"\put(-1.5,{py(0):.2f}){{\makebox(0,0)[r]{{\scriptsize $0$}}}}")
    out += labels
    for values, colour in ((c.f, "fcolor"), (c.df, "dfcolor")):
        segments = []
        for xa, ya, xb, yb in zip(c.x, values, c.x[1:], values[1:]):
            if not (np.isfinite(ya) and np.isfinite(yb)) or not (ylo <= ya <= yhi and ylo <= yb <= yhi):
                continue
            if xa == xb and ya == yb:
                continue
            ax, ay, bx, by = px(xa), py(ya), px(xb), py(yb)
            segments.append(rf"\qbezier({ax:.2f},{ay:.2f})({(ax + bx) / 2:.2f},{(ay + by) / 2:.2f})({bx:.2f},{by:.2f})")
        out.append(rf"{{\color{{{colour}}}\linethickness{{0.8pt}}" + "\n" + "\n".join(segments) + "}")
    out.append(r"\end{picture}")
    return "\n".join(out)


def _properties_section(names) -> list[str]:
    return [
        r"\subsection*{Properties}",
        "Range, order of continuity, monotonicity of $f$ and $f'$, whether $f(x) \\approx x$ near 0, "
        "parity, minimum and the Lipschitz constant $\\sup|f'|$, each proved by symact "
        "(a dagger marks a value checked numerically only, not proved).",
        r"\begin{center}" + "\n" + table(names, format="latex", budget=None) + "\n" + r"\end{center}",
    ]


def _theorem_section(results, proofs: bool = True) -> list[str]:
    if not results:
        return []
    how = (
        "A proof is a chain of relations (equalities, or inequalities for a bound), each link justified in the "
        "column on its right and verified symbolically; a case split is shown one case at a time; a statement about "
        "every depth or every shape is proved by induction with symbolic shapes. A verdict \\emph{checked} "
        "rests on numbers or on finitely many instances and is not a proof."
        if proofs
        else "Each theorem is followed by its verdict and the method that established it."
    )
    parts = [r"\section{Theorems}", "Each theorem below is verified by symact. " + how]
    current = None
    for t, p in results:
        key = getattr(t, "section", None)
        if key != current and key in SECTIONS:
            parts.append(rf"\subsection{{{escape(SECTIONS[key])}}}")
        current = key
        parts.append(latex.theorem(t, p, proofs=proofs))
    return parts


def theorem_results(selected: Iterable[Theorem] | None = None) -> list:
    """The chapter's theorems (all, or the ``selected`` ones) with their proofs, ``[(Theorem, Proof), ...]``.

    Each theorem's proof is computed once per process and shared (see ``symact.chapter.Theorem.run``).
    """
    return run_all(selected)


def write(
    path: str | Path,
    pdf: bool = False,
    figures: str = "auto",
    names: Iterable[str] | None = None,
    kink: str = "torch",
    theorems: bool | str | Iterable[str] = True,
    properties: bool = True,
    title: str = TITLE,
    author: str = "",
    date: str = "",
    proofs: bool = True,
    budget: float | None = DEFAULT_BUDGETS["notes"],
) -> list[Path]:
    """Write the notes to ``path`` (``.tex``); with ``pdf`` also compile them. Returns the files written.

    The options are those of ``document``; ``budget`` bounds the whole call, PDF included. With matplotlib (``figures='auto'`` or ``'matplotlib'``)
    the plots go to ``<stem>-figures/`` beside the ``.tex`` file; otherwise they are drawn inside the
    document. LaTeX's own files (``.aux``, ``.log``) stay in a temporary folder.
    """
    path = Path(path)
    if path.suffix != ".tex":
        raise SymactError(f"notes are written to a .tex file, got {str(path)!r}; for example -o notes.tex")
    path.parent.mkdir(parents=True, exist_ok=True)
    figure_dir = path.parent / f"{path.stem}-figures"
    with within(validate(budget, "notes"), "notes"):
        return _write(path, pdf, figures, figure_dir, names, kink, theorems, properties, title, author, date, proofs)


def _write(path, pdf, figures, figure_dir, names, kink, theorems, properties, title, author, date, proofs) -> list:
    mode = _figure_mode(figures, figure_dir)
    text = document(
        names,
        kink=kink,
        figures=mode,
        figure_dir=figure_dir,
        theorems=theorems,
        properties=properties,
        title=title,
        author=author,
        date=date,
        proofs=proofs,
        budget=None,
    )
    path.write_text(text, encoding="utf-8")
    written = [path]
    if mode == "matplotlib":
        written += sorted(figure_dir.glob("*.pdf"))
    if pdf:
        written.append(compile_pdf(path))
    return written


def compile_pdf(tex: str | Path, engine: str = "pdflatex", runs: int = 2, log: str | Path | None = None) -> Path:
    """Compile ``tex`` with ``pdflatex`` (twice, for the table widths); returns the PDF path, beside ``tex``.

    The auxiliary files go to a temporary folder; ``log`` names a file to keep LaTeX's log in.
    Raises ``SymactError`` with LaTeX's first error line when the document does not compile, or
    when no TeX engine is installed.
    """
    given = Path(tex)
    tex = given.resolve()
    exe = shutil.which(engine)
    if exe is None:
        raise SymactError(
            f"{engine} not found: install a TeX engine (Debian: apt-get install texlive-latex-base "
            "texlive-latex-recommended) or leave out --pdf"
        )
    with tempfile.TemporaryDirectory(prefix="symact-tex-") as build:
        for _ in range(runs):
            result = subprocess.run(
                [
                    exe,
                    "-interaction=nonstopmode",
                    "-halt-on-error",
                    "-file-line-error",
                    f"-output-directory={build}",
                    tex.name,
                ],
                cwd=tex.parent,
                capture_output=True,
                text=True,
                errors="replace",
                timeout=300,
            )
            if result.returncode != 0:
                error = next((ln for ln in result.stdout.splitlines() if _ERROR.match(ln)), "")
                raise SymactError(f"{engine} failed on {tex.name}: {error.strip() or 'see the LaTeX log'}")
        if log is not None:
            shutil.copyfile(Path(build) / f"{tex.stem}.log", log)
        shutil.move(Path(build) / f"{tex.stem}.pdf", tex.with_suffix(".pdf"))
    return given.with_suffix(".pdf")
