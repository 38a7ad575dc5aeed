"""examples/notebook.ipynb executed as nbconvert executes it, and every result type's rich display."""

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import symact

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "examples" / "notebook.ipynb"


def test_the_example_notebook_executes_and_every_result_displays_richly(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    pytest.importorskip("nbconvert")
    pytest.importorskip("ipykernel")
    from nbconvert.preprocessors import ExecutePreprocessor

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    ExecutePreprocessor(timeout=600, kernel_name="python3").preprocess(notebook, {"metadata": {"path": ROOT}})
    shown = {}
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not any(out.output_type == "error" for out in cell.outputs), cell.source
            for out in cell.outputs:
                if out.output_type == "execute_result" or out.output_type == "display_data":
                    shown[cell.source.splitlines()[-1]] = set(out.data)
    assert "text/latex" in shown["d"] and "text/latex" in shown["softmax"]
    assert "text/latex" in shown['symact.prove("tanh(x) + 1", "2*sigmoid(x)")']
    assert "text/html" in shown['symact.table(["relu", "tanh", "sigmoid"], ["range", "continuity", "monotonic"])']
    assert "image/png" in shown['symact.plot(["relu", "gelu"])']
    assert "text/html" in shown["net"]


def test_the_table_is_its_text_and_renders_as_html_latex_and_markdown():
    t = symact.table(["relu", "tanh"], ["range", "continuity"])
    assert isinstance(t, str) and repr(t) == str(t) and str(t).splitlines()[2].split()[:2] == ["relu", "[0,"]
    assert "<td>relu</td>" in t._repr_html_() and "<th>range</th>" in t._repr_html_()
    assert r"\begin{tabular}" in t._repr_latex_() and r"\infty" in t._repr_latex_()
    assert t._repr_markdown_().startswith("| activation | range | continuity |")
    assert symact.table(["relu"], ["range"], format="markdown") == symact.table(["relu"], ["range"])._repr_markdown_()
    again = pickle.loads(pickle.dumps(t))
    assert again == t and again._repr_html_() == t._repr_html_()


def test_a_plot_displays_without_pyplot_and_pickles():
    pytest.importorskip("matplotlib")
    code = (
        "import sys, symact; fig = symact.plot(['relu']); png = fig._repr_png_(); "
        "print(png[:4] == b'\\x89PNG', 'matplotlib.pyplot' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["True", "False"], out.stderr
    fig = pickle.loads(pickle.dumps(symact.plot(["relu"])))
    assert fig.axes[0].get_legend_handles_labels()[1] == ["relu", "relu'"]


def test_a_refuted_proof_in_latex_writes_neq_in_math():
    latex = symact.prove("tanh(x) + 1", "2*sigmoid(x)")._repr_latex_()
    assert r"\neq" in latex and "!=" not in latex and r"\text{at } x = 1{:}" in latex
