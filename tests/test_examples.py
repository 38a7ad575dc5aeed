"""The scripts in examples/ run as a user runs them (a subprocess) and print what they promise."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def run(script):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"{script} exited with {result.returncode}:\n{result.stderr}"
    assert "Warning" not in result.stderr, result.stderr  # an example must not teach code that warns
    return result.stdout


def test_every_example_is_tested():
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(
        [
            "lecture_derivations.py",
            "check_framework_activation.py",
            "define_and_prove.py",
            "train_mlp.py",
            "export_torch_digits.py",
        ]
    )


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_is_short_and_documented(script):
    text = (EXAMPLES / script).read_text()
    assert len(text.splitlines()) < 60
    assert text.startswith('"""') and f"python examples/{script}" in text  # says what it shows and how to run it


def test_lecture_derivations():
    out = run("lecture_derivations.py")
    assert "f'    = y*(1 - y)   with y = f(x)" in out  # sigmoid's derivative from its output
    assert "f'    = 1 - y**2   with y = f(x)" in out  # tanh's
    assert "kink at x = 0: left f' = 0, right f' = 1, taken = 0" in out  # relu under torch's policy
    assert "tanh(x) + 1 = 2*sigmoid(2*x): Proof(proved" in out
    assert r"\begin{aligned}" in out


def test_check_framework_activation():
    out = run("check_framework_activation.py")
    for name in ("silu", "gelu"):
        assert f"{name} (textbook NumPy) vs symact.kernel at" in out
    # the textbook silu' cancels near its zero: hundreds of ULP, where the kernel's target is 4
    silu_grad = re.search(r"silu .*?\n.*?\n  f': max ([\d.e+]+) ULP", out)
    assert silu_grad and float(silu_grad.group(1)) > 4
    try:
        import torch  # noqa: F401
    except ImportError:
        assert "torch is not installed: skipping" in out
    else:
        assert "torch vs symact for 'gelu'" in out


def test_define_and_prove():
    out = run("define_and_prove.py")
    assert "2*sigmoid(x) - 1 = tanh(x/2)\n  proved by rewriting to exp" in out
    assert "Proof(refuted: x = " in out  # bipolar_sigmoid is not tanh(x)
    assert "with equality only at x in {0}\n  proved" in out  # f' <= 1/2
    assert "lipschitz: 1/2  (proved)" in out
    assert re.search(r"bipolar_sigmoid +\(-1, 1\) +increasing", out)


def test_train_mlp():
    out = run("train_mlp.py")
    accuracies = [float(a) for a in re.findall(r"test accuracy ([\d.]+)%", out)]
    assert len(accuracies) == 2 and min(accuracies) >= 90
    error = re.search(r"max relative gradient error: ([\d.e+-]+)", out)
    assert error and float(error.group(1)) < 1e-6


def test_export_torch_digits():
    pytest.importorskip("torch", reason="the example trains a torch MLP")
    pytest.importorskip("sklearn", reason="the example loads scikit-learn's digits")
    out = run("export_torch_digits.py")
    assert "exported Exported('x*sigmoid(17*x/10)', 'torch'): checked, saves the input" in out
    accuracy = re.search(r"test accuracy ([\d.]+)%", out)
    assert accuracy and float(accuracy.group(1)) >= 90
