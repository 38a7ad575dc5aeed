"""The notes document: it compiles with pdflatex, renders a non-blank page, and holds every theorem.

TeX is a system package: these tests skip without ``pdflatex``, unless SYMACT_REQUIRE_TEX is set
(as CI does, after installing Debian's texlive-latex-base and texlive-latex-recommended).
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from symact import catalog, notes
from symact.errors import SymactError
from symact.theorems import THEOREMS

ROOT = Path(__file__).resolve().parent.parent


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        if os.environ.get("SYMACT_REQUIRE_TEX"):
            pytest.fail(f"{program} is not installed but SYMACT_REQUIRE_TEX is set")
        pytest.skip(f"{program} is not installed")
    return path


def page_pixels(pdf: Path, page: int, folder: Path) -> np.ndarray:
    """One page rendered by pdftoppm as a grey-level array (0 black, 255 white)."""
    need("pdftoppm")
    stem = folder / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-gray", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    data = Path(f"{stem}.pgm").read_bytes()
    magic, width, height, maxval, pixels = re.match(rb"(P5)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)", data, re.S).groups()
    assert magic == b"P5" and int(maxval) == 255
    return np.frombuffer(pixels, dtype=np.uint8).reshape(int(height), int(width))


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``symact notes -o notes.tex --pdf`` run from an empty folder, as a user would."""
    need("pdflatex")
    folder = tmp_path_factory.mktemp("notes")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "symact", "notes", "-o", "notes.tex", "--pdf"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    return folder, result


def test_notes_compile_to_a_pdf(built):
    folder, result = built
    pdf = folder / "notes.pdf"
    assert f"wrote {Path('notes.pdf')}" in result.stdout.splitlines()
    assert pdf.read_bytes().startswith(b"%PDF")
    log = (folder / "notes.log").read_text(errors="replace")
    assert "Output written on notes.pdf" in log
    pages = int(re.search(r"Output written on notes\.pdf \((\d+) pages", log)[1])
    assert pages >= 20
    assert "undefined references" not in log and "Undefined control sequence" not in log


def test_first_page_is_not_blank(built, tmp_path):
    folder, _ = built
    pixels = page_pixels(folder / "notes.pdf", 1, tmp_path)
    ink = (pixels < 200).mean()  # a page of text at 40 dpi is about 5% ink; a blank page 0%
    assert 0.01 < ink < 0.5, f"page 1 has {ink:.1%} dark pixels"


def test_every_theorem_and_activation_is_in_the_document(built):
    folder, _ = built
    tex = (folder / "notes.tex").read_text()
    titles = re.findall(r"\\begin\{theorem\}\[(.*?)\]", tex)
    assert titles == [t.name.replace("_", " ") for t in THEOREMS]
    assert tex.count(r"\begin{proof}") == len(THEOREMS)
    assert r"\subsection*{Properties}" in tex and r"\texttt{hardshrink} & $(-\infty, - \frac{1}{2}) \cup" in tex
    sections = re.findall(r"\\subsection\*\{\\texttt\{(.*?)\}\}", tex)
    assert [s.replace(r"\_", "_") for s in sections] == catalog.names()


def test_every_theorem_is_in_the_pdf(built):
    folder, _ = built
    need("pdftotext")
    text = subprocess.run(["pdftotext", str(folder / "notes.pdf"), "-"], capture_output=True, text=True).stdout
    numbers = [int(n) for n in re.findall(r"Theorem (\d+) \(", text)]
    assert numbers == list(range(1, len(THEOREMS) + 1))
    assert text.count("Proved") >= len(THEOREMS)


def test_plots_are_included(built):
    folder, _ = built
    tex = (folder / "notes.tex").read_text()
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert tex.count(r"\begin{picture}") == len(catalog.names())
    else:
        figures = sorted(p.name for p in (folder / "notes-figures").glob("*.pdf"))
        assert len(figures) == len(catalog.names())
        assert tex.count(r"\includegraphics") == len(figures)
        for name in figures:
            assert f"{{notes-figures/{name}}}" in tex


def test_picture_plots_compile_and_draw(tmp_path):
    need("pdflatex")
    paths = notes.write(
        tmp_path / "small.tex", pdf=True, figures="picture", names=["relu", "hardshrink"], theorems=False
    )
    assert [p.name for p in paths] == ["small.tex", "small.pdf"]
    tex = paths[0].read_text()
    assert tex.count(r"\begin{picture}") == 2
    assert tex.count(r"\qbezier") > 200
    pixels = page_pixels(paths[1], 2, tmp_path)
    assert (pixels < 200).mean() > 0.01


def test_picture_breaks_the_derivative_at_the_kink():
    tex = notes.picture("relu")
    red = tex.split(r"{\color{dfcolor}")[1]
    # f' = 0 left of 0 and 1 right of it: no segment may join the two levels
    segments = re.findall(r"\\qbezier\(([-\d.]+),([-\d.]+)\)\(([-\d.]+),([-\d.]+)\)\(([-\d.]+),([-\d.]+)\)", red)
    assert segments
    assert all(float(s[1]) == float(s[5]) for s in segments)


def test_every_latex_fragment_compiles(tmp_path):
    """What Jupyter shows (Derivation and Proof LaTeX) and each symact.latex piece, in one document."""
    need("pdflatex")
    from types import SimpleNamespace

    from symact import derive, latex, prove

    proved, refuted = prove("tanh(x) + 1", "2*sigmoid(2*x)"), prove("tanh(x) + 1", "2*sigmoid(x)")
    t = SimpleNamespace(
        name="tanh_plus_one", statement="tanh(x) + 1 = 2 sigmoid(2x)", latex=r"\tanh x + 1 = 2\sigma(2x)"
    )
    body = [
        r"\[" + derive("hardtanh").latex() + r"\]",
        proved.latex(),
        refuted.latex(),
        latex.definition("sparse_sigmoid", kink="jax"),
        latex.activation("selu"),
        latex.catalog_table(["relu", "gelu_tanh", "softshrink"]),
        latex.proof(refuted),
        latex.theorem(t, proved),
    ]
    tex = tmp_path / "pieces.tex"
    tex.write_text(notes.PREAMBLE + "\\begin{document}\n" + "\n\n".join(body) + "\n\\end{document}\n")
    assert notes.compile_pdf(tex, runs=1).read_bytes().startswith(b"%PDF")


def test_broken_latex_fails_with_the_error_line(tmp_path):
    need("pdflatex")
    tex = tmp_path / "broken.tex"
    tex.write_text(notes.PREAMBLE + "\\begin{document}\n$\\notacommand{x}$\n\\end{document}\n")
    with pytest.raises(SymactError, match="Undefined control sequence"):
        notes.compile_pdf(tex)


def test_document_structure():
    tex = notes.document(["sigmoid", "relu"], figures="none", theorems=False, properties=False)
    order = [
        tex.index(s) for s in (r"\maketitle", r"\section{The catalog}", r"\begin{longtable}", "sigmoid}}", "relu}}")
    ]
    assert order == sorted(order)
    assert r"\begin{picture}" not in tex and r"\section{Theorems}" not in tex
    assert "PyTorch uses" in tex.replace("\n", " ")


def test_bad_arguments():
    with pytest.raises(SymactError, match="figures='pictures' is not one of"):
        notes.document(["relu"], figures="pictures")
    with pytest.raises(SymactError, match=r"\.tex file"):
        notes.write("notes.pdf")
    with pytest.raises(SymactError, match="figure_dir"):
        notes.document(["relu"], figures="matplotlib")
