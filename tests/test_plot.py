"""Plots: f and f' from the compiled kernels, lines broken at kinks, files by suffix."""

import math
import subprocess
import sys

import numpy as np
import pytest

import symact
from symact.errors import SymactError
from symact.render.plotting import curves, plot


@pytest.fixture
def mpl():
    return pytest.importorskip("matplotlib")


def test_import_symact_does_not_import_matplotlib():
    code = "import sys, symact; assert callable(symact.plot); print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
    assert symact.plot is plot


def test_curves_are_f_and_its_derivative():
    c = curves("gelu", xlim=(-3, 3), points=61)
    assert np.array_equal(c.x, np.linspace(-3, 3, 61))
    phi = np.array([(1 + math.erf(t / math.sqrt(2))) / 2 for t in c.x])
    np.testing.assert_allclose(c.f, c.x * phi, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(c.df, phi + c.x * np.exp(-(c.x**2) / 2) / math.sqrt(2 * math.pi), rtol=1e-12)


def test_curves_break_the_derivative_at_a_kink_with_one_sided_limits():
    c = curves("relu6", xlim=(-1, 7), points=9)
    at6 = np.flatnonzero(c.x == 6.0)
    assert len(at6) == 3
    assert c.df[at6].tolist()[0] == 1.0 and np.isnan(c.df[at6][1]) and c.df[at6][2] == 0.0
    assert np.isfinite(c.f).all()  # relu6 itself is continuous
    assert np.all(np.diff(c.x) >= 0)


def test_curves_break_f_where_it_jumps():
    c = curves("hardshrink", xlim=(-1, 1), points=9)
    left = np.flatnonzero(c.x == -0.5)
    assert c.f[left[0]] == pytest.approx(-0.5) and np.isnan(c.f[left[1]]) and c.f[left[2]] == 0.0


def test_curves_with_parameters():
    c = curves("swish", xlim=(-2, 2), points=5, beta=2)
    np.testing.assert_allclose(c.f, c.x / (1 + np.exp(-2 * c.x)), rtol=1e-15)


def test_plot_several_activations_with_derivatives(tmp_path, mpl):
    path = tmp_path / "act.png"
    fig = plot(["relu", "gelu"], derivative=True, path=path)
    handles, labels = fig.axes[0].get_legend_handles_labels()
    assert labels == ["relu", "relu'", "gelu", "gelu'"]
    assert handles[0].get_color() == handles[1].get_color() != handles[2].get_color()
    assert handles[1].get_linestyle() == "--"
    assert path.read_bytes().startswith(b"\x89PNG")


def test_plot_without_derivative_to_pdf(tmp_path, mpl):
    path = tmp_path / "f.pdf"
    fig = plot("tanh", derivative=False, path=path, xlim=(-2, 2), ylim=(-1.5, 1.5))
    assert fig.axes[0].get_legend_handles_labels()[1] == ["tanh"]
    assert fig.axes[0].get_xlim() == (-2, 2) and fig.axes[0].get_ylim() == (-1.5, 1.5)
    assert path.read_bytes().startswith(b"%PDF")


def test_plot_draws_on_given_axes(mpl):
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert plot("sigmoid", ax=ax) is fig
    ys = ax.lines[0].get_ydata()
    assert 0 < ys.min() < ys.max() < 1


def test_plot_refuses_bad_input(tmp_path, mpl):
    with pytest.raises(SymactError, match="file ending in png"):
        plot("relu", path=tmp_path / "f.bmpx")
    with pytest.raises(SymactError, match="at least one"):
        plot([])
    with pytest.raises(SymactError, match="low < high"):
        plot("relu", xlim=(1, -1))
