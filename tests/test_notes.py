"""The notes document: it compiles with pdflatex, renders a non-blank page, and holds every theorem.

TeX is a system package: these tests skip without ``pdflatex``, unless SYMACT_REQUIRE_TEX is set
(as CI does, after installing Debian's texlive-latex-base and texlive-latex-recommended).
"""

import functools
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from symact import catalog
from symact.chapter.registry import THEOREMS, run_all, select
from symact.errors import SymactError
from symact.render import notes
from tests.test_cli import symact


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        if os.environ.get("SYMACT_REQUIRE_TEX"):
            pytest.fail(f"{program} is not installed but SYMACT_REQUIRE_TEX is set")
        pytest.skip(f"{program} is not installed")
    return path


def page_pixels(pdf: Path, page: int, folder: Path, dpi: int = 40) -> np.ndarray:
    """One page rendered by pdftoppm as a grey-level array (0 black, 255 white)."""
    need("pdftoppm")
    stem = folder / f"page{page}"
    subprocess.run(
        ["pdftoppm", "-gray", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", str(pdf), str(stem)],
        check=True,
    )
    data = Path(f"{stem}.pgm").read_bytes()
    magic, width, height, maxval, pixels = re.match(rb"(P5)\s+(\d+)\s+(\d+)\s+(\d+)\s(.*)", data, re.S).groups()
    assert magic == b"P5" and int(maxval) == 255
    return np.frombuffer(pixels, dtype=np.uint8).reshape(int(height), int(width))


SIX = "relu,sigmoid,tanh,gelu,swish,mish"


def run_notes(folder: Path, log: Path, *options: str) -> tuple:
    """``symact notes -o notes.tex --pdf OPTIONS`` run from ``folder`` as a user would, in this process so that
    the theorems' proofs are shared with the other tests; pdflatex's log of that compilation is kept in ``log``.
    Returns (CLI result, files left in ``folder``, the log)."""
    need("pdflatex")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(notes, "compile_pdf", functools.partial(notes.compile_pdf, log=log))
        result = symact("notes", "-o", "notes.tex", "--pdf", *options, cwd=folder)
    assert result.returncode == 0, result.stderr
    return result, sorted(p.name for p in folder.iterdir()), log.read_text(errors="replace")


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """The full notes, compiled once per test session: (folder, CLI result, files left, pdflatex log)."""
    folder = tmp_path_factory.mktemp("notes")
    return folder, *run_notes(folder, tmp_path_factory.mktemp("notes-log") / "notes.log")


@pytest.fixture(scope="session")
def six(tmp_path_factory):
    """The notes of six activations (``--only relu,sigmoid,tanh,gelu,swish,mish``), compiled once per session."""
    folder = tmp_path_factory.mktemp("six")
    return folder, *run_notes(folder, tmp_path_factory.mktemp("six-log") / "notes.log", "--only", SIX)


def overfull(log: str) -> list[str]:
    return re.findall(r"^Overfull \\hbox \(([\d.]+)pt too wide\).*$", log, re.M)


def test_notes_compile_to_a_pdf(built):
    folder, result, _, log = built
    pdf = folder / "notes.pdf"
    assert f"wrote {Path('notes.pdf')}" in result.stdout.splitlines()
    assert pdf.read_bytes().startswith(b"%PDF")
    pages = int(re.search(r"Output written on .*notes\.pdf \((\d+) pages", log)[1])
    assert pages >= 20
    assert "undefined references" not in log and "Undefined control sequence" not in log


@pytest.mark.parametrize("notes_of", ["built", "six"])
def test_no_overfull_box_and_only_the_document_left(notes_of, request):
    folder, _, files, log = request.getfixturevalue(notes_of)
    assert "Output written on" in log
    assert overfull(log) == [], f"{len(overfull(log))} overfull boxes, widest {max(map(float, overfull(log)))}pt"
    assert set(files) <= {"notes.tex", "notes.pdf", "notes-figures"}, files  # no .aux, .log


def test_only_selects_the_theorems_about_those_activations_and_the_general_ones(six):
    folder, _, _, _ = six
    tex = (folder / "notes.tex").read_text()
    titles = re.findall(r"\\begin\{theorem\}\[(.*?)\]", tex)
    chosen = select(activations=SIX.split(","))
    assert titles == [t.name.replace("_", " ") for t in chosen]
    names = {t.name for t in chosen}
    assert {"affine_collapse", "rank_bottleneck", "xor_one_relu_unit_impossible", "depth_multiplies_pieces"} <= names
    assert "prelu_derivative" not in names and "softmax_cross_entropy_gradient" not in names
    assert tex.count(r"\subsection*{\texttt{") == 6


def test_pages_are_not_blank_and_ink_stays_inside_the_text_block(six, tmp_path):
    """Every page of the six-activation notes at 50 dpi: some ink, none right of the text block."""
    folder, _, _, log = six
    pages = int(re.search(r"Output written on .*notes\.pdf \((\d+) pages", log)[1])
    right = (210 - 23) / 25.4 * 50  # A4 width less the 2.3 cm margin, in pixels at 50 dpi
    for page in range(1, pages + 1):
        pixels = page_pixels(folder / "notes.pdf", page, tmp_path, dpi=50)
        ink = pixels < 160
        assert ink.mean() > 0.002, f"page {page} is blank"
        columns = np.flatnonzero(ink.any(axis=0))
        assert columns.max() <= right + 2, f"page {page}: ink at column {columns.max()}, margin at {right:.0f}"


def test_first_page_is_not_blank(built, tmp_path):
    folder, *_ = built
    pixels = page_pixels(folder / "notes.pdf", 1, tmp_path)
    ink = (pixels < 200).mean()  # a page of text at 40 dpi is about 5% ink; a blank page 0%
    assert 0.01 < ink < 0.5, f"page 1 has {ink:.1%} dark pixels"


def test_every_theorem_and_activation_is_in_the_document(built):
    folder, *_ = built
    tex = (folder / "notes.tex").read_text()
    titles = re.findall(r"\\begin\{theorem\}\[(.*?)\]", tex)
    assert titles == [t.name.replace("_", " ") for t in THEOREMS]
    assert tex.count(r"\begin{proof}") == len(THEOREMS)
    assert r"\subsection*{Properties}" in tex and r"\texttt{hardshrink} & $(-\infty, - \frac{1}{2}) \cup" in tex
    sections = re.findall(r"\\subsection\*\{\\texttt\{(.*?)\}\}", tex)
    assert [s.replace(r"\_", "_") for s in sections] == catalog.names(vector=True)


def test_every_theorem_is_in_the_pdf(built):
    folder, *_ = built
    need("pdftotext")
    text = subprocess.run(["pdftotext", str(folder / "notes.pdf"), "-"], capture_output=True, text=True).stdout
    numbers = [int(n) for n in re.findall(r"Theorem (\d+) \(", text)]
    assert numbers == list(range(1, len(THEOREMS) + 1))
    assert text.count("Proved") >= len(THEOREMS)


def test_plots_are_included(built):
    folder, *_ = built
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

    from symact.derivation import derive
    from symact.proof import prove
    from symact.render import latex

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


# ---- every theorem and proof the notes print ---------------------------------------------------------

PYTHON = re.compile(r"\*\*|->|!=|<=|>=|Max\(|Min\(|\boo\b|\\textasciicircum|\\ensuremath")
ONE_BY_ONE = re.compile(r"\\begin\{matrix\}[^&\\]*\\end\{matrix\}")


@pytest.fixture(scope="session")
def results():
    return run_all()


def _proofs(p):
    """Every proof printed for ``p``: ``p`` itself, or its parts and instances."""
    inner = [q for key in ("parts", "instances") for q in (p.details or {}).get(key, [])]
    if not inner:
        yield p
    for q in inner:
        yield from _proofs(q)


def _relation(statement: str) -> str | None:
    """The statement's top-level relation (one inside brackets, as in a Piecewise's conditions, is not it)."""
    head, depth, top = statement.split(", with")[0], 0, []
    for ch in head:
        depth += (ch in "([{") - (ch in ")]}")
        top.append(ch if depth == 0 else " ")
    head = "".join(top)
    for rel in ("<=", ">=", "<", ">"):
        if f" {rel} " in head:
            return rel
    return None


def _fact_holds(fact) -> int:
    """Check a printed fact (a relation, or Implies(condition, relation)) at sample points; 0 when it cannot be."""
    import random

    import sympy as sp
    from sympy.core.function import AppliedUndef

    condition, rel = (fact.args[0], fact.args[1]) if isinstance(fact, sp.Implies) else (None, fact)
    for f in {a.func for a in rel.atoms(AppliedUndef)}:
        if f.__name__ in catalog.names():
            entry = catalog.get(f.__name__)
            rel = rel.replace(f, sp.Lambda(catalog.x, entry.expr))
    rel = rel.doit()
    if rel.atoms(AppliedUndef) or not isinstance(rel, (sp.Rel, sp.MatrixBase)):
        return 0 if rel is not sp.true else 1
    r, checked = random.Random(5), 0
    symbols = sorted(rel.free_symbols, key=str)
    for _ in range(100):
        point = {s: sp.Rational(r.randint(1 if s.is_positive else -30, 30), 10) for s in symbols}
        if condition is not None and not bool(condition.subs(point)):
            continue
        left, right = sp.N(rel.lhs.subs(point), 30), sp.N(rel.rhs.subs(point), 30)
        gap = left - right
        if isinstance(gap, sp.MatrixBase):
            assert all(abs(complex(g)) < 1e-20 for g in gap), (fact, point)
        else:
            tol = 1e-20 * (1 + abs(complex(left)))
            ok = {"==": abs(complex(gap)) < tol, "<=": gap <= tol, "<": gap < tol, ">=": gap >= -tol, ">": gap > -tol}
            assert ok[rel.rel_op], (fact, point)
        checked += 1
        if checked == 4:
            break
    return checked


def flat(tex: str) -> str:
    return tex.replace("{", "").replace("}", "")


def test_every_printed_theorem_and_proof_is_true_and_typeset(results):
    import sympy as sp

    from symact import formula
    from symact.proof.chains import blocks
    from symact.render import latex
    from tests.test_latex import check_links

    checked = facts = 0
    for t, p in results:
        assert p.proved or (t.checked and p.status == "checked"), t.name
        tex = latex.theorem(t, p)
        assert not PYTHON.search(tex), (t.name, PYTHON.search(tex)[0])
        assert not ONE_BY_ONE.search(tex), t.name
        words = t.prose + t.latex + tex.split(r"\begin{proof}")[0]
        for q in _proofs(p):
            chains = blocks(q)
            told = words + latex.statement(q)
            rel = _relation(q.statement)
            if rel is not None and chains and q.lhs is not None:  # a bound: the conclusion prints the relation proved
                parts = q.statement.split(", with")[0].split(f" {rel} ")
                mirrored = len(parts) == 2 and parts[1] == sp.sstr(q.lhs)  # "lo < f" prints as "f > lo"
                want = {"<": ">", "<=": ">=", ">": "<", ">=": "<="}[rel] if mirrored else rel
                assert [b.links[0].rel for b in chains if b.intro.startswith("Hence")][-1] == want, q.statement
            elif q.lhs is not None and chains:  # an identity or a limit: equalities only
                assert {link.rel for b in chains for link in b.links} == {"="}, q.statement
            for b in chains:
                for link in b.links:
                    if link.rel is None:
                        facts += _fact_holds(link.right)
                    for e in (link.left, link.right):
                        for s in sp.sympify(e).free_symbols if e is not None else ():
                            assert s in b.where or flat(formula.expr(s)) in flat(told), (t.name, s)
            checked += check_links(q, samples=3)
    assert checked > 100 and facts > 20, (checked, facts)


def test_repetitive_parts_are_stated_once_and_checked_on_instances(results):
    from symact.catalog import CATALOG
    from symact.render import latex

    by_name = {t.name: p for t, p in results}
    p = by_name["analytic_vs_numerical_derivative"]
    instances = p.details["instances"]
    assert len(instances) == len(CATALOG) and all(q.proved for q in instances)
    tex = latex.proof(p)
    rest = len(CATALOG) - 1
    assert f"The same on the other {rest} instances" in tex and f"{rest} of {rest} proved" in tex
    assert tex.count(r"\begin{align*}") <= 3
    checked = latex.proof(by_name["relu_network_piecewise_linear"])
    assert r"\textbf{Altogether: checked} (numerically or on instances; not a proof)" in checked
    assert "proved" not in checked.lower()


def test_no_proofs_gives_a_handout_with_verdicts(tmp_path):
    tex = notes.document(
        ["relu"],
        figures="none",
        properties=False,
        theorems=["newer"],
        proofs=False,
        title="MLP",
        author="A. Lecturer",
        date="Spring 2027",
    )
    assert r"\begin{proof}" not in tex and tex.count(r"\textbf{Proved}") == 4
    assert r"\title{MLP}" in tex and r"\author{A. Lecturer}" in tex and r"\date{Spring 2027}" in tex


def test_theorems_by_name_or_section_and_unknown_names_suggest():
    from symact.errors import UnknownTheorem

    tex = notes.document(
        ["relu"], figures="none", properties=False, theorems="xor_two_relu_units,vanishing", proofs=False
    )
    titles = re.findall(r"\\begin\{theorem\}\[(.*?)\]", tex)
    assert titles == [
        "sigmoid derivative bound",
        "sigmoid derivative at 10",
        "sigmoid gradient through layers",
        "xor two relu units",
    ]
    with pytest.raises(UnknownTheorem, match="did you mean 'vanishing'"):
        notes.document(["relu"], figures="none", theorems=["vanishng"])
    assert issubclass(UnknownTheorem, SymactError)


def test_math_in_the_title_stays_math_and_the_rest_is_escaped():
    tex = notes.document(
        ["relu"],
        figures="none",
        properties=False,
        theorems=False,
        title=r"Notes on $x_1 \le x_2$ & $\sigma$",
        author="A & B",
    )
    assert r"\title{Notes on $x_1 \le x_2$ \& $\sigma$}" in tex and r"\author{A \& B}" in tex
    assert r"\title{costs \$5}" in notes.document(
        ["relu"], figures="none", properties=False, theorems=False, title="costs $5"
    )
    unsafe = notes.document(["relu"], figures="none", properties=False, theorems=False, title=r"$\input{/etc/passwd}$")
    assert r"\input{" not in unsafe.split(r"\maketitle")[0].split(r"\title")[1]
