"""The command line, as a user runs it: its exit code, stdout and stderr.

The commands run through ``main`` in this process (the same exit code and streams, without a Python start-up per
call, and each theorem's proof computed once per test run and shared); a few tests run ``python -m symact`` as a
subprocess, where the process itself is what they test (usage errors, a closed pipe, the entry point).
"""

import contextlib
import io
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from symact import catalog
from symact.chapter.registry import THEOREMS
from symact.cli import EXAMPLES, main

ROOT = Path(__file__).resolve().parent.parent


def symact_process(*args, cwd=None):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "symact", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def symact(*args, cwd=None):
    """``symact ARGS`` through ``main`` in this process, from ``cwd``: the same exit code, stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    here = Path.cwd()
    os.chdir(cwd or here)  # contextlib.chdir needs Python 3.11
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["symact", *args], code, out.getvalue(), err.getvalue())


def one_line_error(result, command):
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.rstrip().splitlines()
    if len(lines) == 3:  # a parse error: the expression and a caret under the culprit follow
        assert lines[2].strip() == "^" and lines[1].startswith("  "), result.stderr
    else:
        assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"symact {command}: error: " if command else "symact: error: ")
    return lines[0]


def test_list():
    result = symact_process("list")
    assert result.returncode == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split()[:4] == ["name", "parameters", "torch", "jax"]
    names = [line.split()[0] for line in lines[1:]]
    assert names == catalog.names(vector=True)
    leaky = next(line for line in lines if line.startswith("leaky_relu "))
    assert "negative_slope=0.01" in leaky and "leaky_relu" in leaky.split()[2:4]


def test_derive_text_and_latex():
    result = symact("derive", "swish", "--param", "beta=2")
    assert result.returncode == 0
    assert result.stdout.startswith("swish(x)   = x⋅sigmoid(2⋅x)")
    latex = symact("derive", "sigmoid", "--latex")
    assert latex.returncode == 0
    assert latex.stdout.splitlines()[0] == r"\begin{aligned}"
    assert r"\sigma" in latex.stdout


def test_prove_proved_refuted_unknown():
    proved = symact("prove", "tanh(x) + 1", "2*sigmoid(2*x)")
    assert proved.returncode == 0
    assert proved.stdout.splitlines()[:2] == ["tanh(x) + 1 = 2*sigmoid(2*x)", "  proved by rewriting to exp"]
    refuted = symact("prove", "tanh(x) + 1", "2*sigmoid(x)")
    assert refuted.returncode == 1
    assert "counterexample: x = 1" in refuted.stdout
    unknown = symact("prove", "tanh(x) + 1", "2*sigmoid(2*x)", "--budget", "0.001")
    assert unknown.returncode == 2
    assert "unknown" in unknown.stdout.splitlines()[1]


def test_prove_latex_is_a_chain():
    result = symact("prove", "sigmoid(-x)", "1 - sigmoid(x)", "--latex")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == r"\begin{align*}" and r"\sigma{\left(- x \right)} &=" in lines[1]
    assert lines[-1].startswith(r"\textbf{Proved}")


def test_kernel_values():
    result = symact("kernel", "sigmoid", "--at", "0.5,1,2")
    assert result.returncode == 0
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0] == ["x", "f(x)", "f'(x)", "f'", "from", "y"]
    for row in rows[1:]:
        t, f, df, dfy = map(float, row)
        s = 1 / (1 + math.exp(-t))
        assert f == pytest.approx(s, rel=1e-15)
        assert df == pytest.approx(s * (1 - s), rel=1e-14)
        assert dfy == pytest.approx(s * (1 - s), rel=1e-14)


def test_kernel_output_form_float32_negative_points_and_params():
    result = symact("kernel", "leaky_relu", "--at=-1,0,1", "--param", "negative_slope=0.1", "--dtype", "float32")
    assert result.returncode == 0
    rows = [line.split() for line in result.stdout.splitlines()]
    assert rows[0] == ["x", "f(x)", "f'(x)", "f'", "from", "y"]
    values = np.array(rows[1:], dtype=float)
    np.testing.assert_allclose(values[:, 1], np.float32([-0.1, 0, 1]))
    np.testing.assert_allclose(values[:, 2], np.float32([0.1, 0.1, 1]))  # torch: the left slope at 0
    np.testing.assert_array_equal(values[:, 2], values[:, 3])


def test_notes_without_pdf(tmp_path):
    result = symact(
        "notes",
        "-o",
        "relu.tex",
        "--only",
        "relu,prelu",
        "--figures",
        "picture",
        "--no-theorems",
        "--no-properties",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote relu.tex\n"
    tex = (tmp_path / "relu.tex").read_text()
    assert tex.count(r"\subsection*") == 2 and tex.count(r"\begin{picture}") == 2
    assert r"\begin{theorem}" not in tex and "{Properties}" not in tex


def test_notes_options_reach_the_document(tmp_path):
    result = symact(
        "notes",
        "-o",
        "handout.tex",
        "--only",
        "relu",
        "--figures",
        "none",
        "--no-properties",
        "--theorems",
        "newer,sigmoid_derivative_bound",
        "--no-proofs",
        "--title",
        "MLP, week 3",
        "--author",
        "A. Lecturer",
        "--date",
        "Spring 2027",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    tex = (tmp_path / "handout.tex").read_text()
    titles = re.findall(r"\\begin\{theorem\}\[(.*?)\]", tex)
    assert titles == [
        "sigmoid derivative bound",
        "xor two relu units",
        "xor one relu unit impossible",
        "depth multiplies pieces",
        "swiglu gradient",
    ]
    assert r"\begin{proof}" not in tex
    assert r"\title{MLP, week 3}" in tex and r"\author{A. Lecturer}" in tex and r"\date{Spring 2027}" in tex


def test_plot_writes_a_file(tmp_path):
    pytest.importorskip("matplotlib")
    result = symact("plot", "relu", "gelu", "-o", "act.png", "--xlim=-3,3", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote act.png\n"
    assert (tmp_path / "act.png").read_bytes().startswith(b"\x89PNG")


def test_check_prints_a_verdict_per_theorem():
    result = symact("check")
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["theorem", "verdict", "method"]
    rows = [line.split()[:2] for line in lines[1:-1]]
    assert [name for name, _ in rows] == [t.name for t in THEOREMS]
    verdicts = [verdict for _, verdict in rows]
    checked = verdicts.count("checked")
    tail = f", {checked} checked (numerically or on instances)" if checked else ""
    assert lines[-1] == f"{verdicts.count('proved')} of {len(THEOREMS)} proved" + tail
    assert {t.name for t in THEOREMS if t.checked} == {name for name, verdict in rows if verdict == "checked"}
    expected = 1 if "refuted" in verdicts else 2 if "unknown" in verdicts else 0
    assert result.returncode == expected


def test_usage_errors_through_a_subprocess(tmp_path):
    line = one_line_error(symact_process("derive", "rellu", cwd=tmp_path), "derive")
    assert "rellu" in line and "relu" in line  # names the input and the closest valid name
    line = one_line_error(symact_process("frobnicate", cwd=tmp_path), None)
    assert "invalid choice: 'frobnicate'" in line


@pytest.mark.parametrize(
    "args, command, message",
    [
        (["kernel", "relu", "--at", "1,a"], "kernel", "--at expects comma-separated numbers"),
        (["kernel", "relu"], "kernel", "the following arguments are required: --at"),
        (["derive", "swish", "--param", "beta"], "derive", "--param expects NAME=VALUE"),
        (["notes", "-o", "notes.pdf"], "notes", ".tex file"),
        (["notes", "-o", "x.tex", "--only", "gelu,nope"], "notes", "nope"),
        (["notes", "-o", "x.tex", "--theorems", "vanishng"], "notes", "unknown theorem or section 'vanishng'; did you"),
        (["plot", "relu", "-o", "a.xyz"], "plot", "file ending in png"),
        (["plot", "relu", "-o", "a.png", "--xlim", "1"], "plot", "--xlim expects LOW,HIGH"),
        ([], None, "required"),
    ],
)
def test_errors_are_one_line_on_stderr_with_exit_code_2(args, command, message, tmp_path, monkeypatch, capsys):
    if command == "plot":
        pytest.importorskip("matplotlib")
    monkeypatch.chdir(tmp_path)
    code = main(args)
    out, err = capsys.readouterr()
    line = one_line_error(SimpleNamespace(returncode=code, stdout=out, stderr=err), command)
    assert message in line
    assert not any(tmp_path.iterdir())  # nothing half-written


@pytest.mark.parametrize("command", list(EXAMPLES))
def test_help_has_examples(command, capsys):
    assert main([command, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: symact {command}")
    assert "example:" in out
    for example in EXAMPLES[command].splitlines():
        assert example.strip() in out


def test_top_level_help_lists_every_command():
    result = symact("--help")
    assert result.returncode == 0
    for command in EXAMPLES:
        assert f"    {command} " in result.stdout


def test_table():
    result = symact("table", "relu", "sigmoid", "softsign", "--columns", "range,continuity")
    assert result.returncode == 0 and result.stderr == ""
    rows = {line.split()[0]: line.split()[1:] for line in result.stdout.splitlines()[2:5]}
    assert rows == {"relu": ["[0,", "∞)", "C^0"], "sigmoid": ["(0,", "1)", "C^∞"], "softsign": ["(-1,", "1)", "C^1"]}
    latex = symact("table", "relu", "--columns", "range", "--format", "latex")
    assert latex.returncode == 0 and "\\begin{tabular}" in latex.stdout
    assert "bogus" in one_line_error(symact("table", "relu", "--columns", "bogus"), "table")


def test_prove_names_the_side_that_does_not_parse_and_shows_the_caret():
    left = one_line_error(symact("prove", "np.tanh(x)", "tanh(x)"), "prove")
    assert "left side" in left and "write tanh(x), not np.tanh(x)" in left
    result = symact("prove", "tanh(x)", "2x")
    assert "right side" in one_line_error(result, "prove") and "did you mean 2*x?" in result.stderr
    assert result.stderr.splitlines()[1:] == ["  2x", "   ^"]


def test_table_help_lists_every_column():
    from symact.analysis.result import PROPERTY_NAMES

    result = symact("table", "--help")
    text = " ".join(result.stdout.split())
    assert all(name in text for name in PROPERTY_NAMES), text


def test_table_takes_one_name_or_names_by_keyword():
    import symact as api

    one = api.table("relu", columns=["parity"])
    assert one == api.table(names=["relu"], columns=["parity"]) == api.table(["relu"], ["parity"])
    rows = [line.split()[0] for line in one.splitlines()[2:] if line and not line.startswith("*")]
    assert rows == ["relu"]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["prove", "tanh(x) + 1", "2*sigmoid(2*x)"], 0, None),
        (["prove", "tanh(x) + 1", "2*sigmoid(x)"], 1, None),
        (["prove", "x*sign(log(8) - 3*log(2))", "x"], 1, None),
        (["prove", "inf", "inf + 1"], 2, None),
        (["prove", "--budget", "2", "diff(mish(mish(x)), x, 10)", "1"], 2, None),
        (["prove", "9**5000", "1"], 2, "digits"),
        (["prove", "nan", "1"], 2, "not a real number"),
        (["prove", "oo - oo", "oo - oo"], 2, "undefined"),
        (["prove", "--budget", "nan", "x", "x"], 2, "--budget"),
        (["prove", "--budget", "inf", "x", "x"], 2, "--budget"),
        (["prove", "--budget", "0", "x", "x"], 2, "--budget"),
        (["derive", "diff(mish(mish(x)), x, 10)"], 2, "nodes"),
    ],
)
def test_prove_exit_codes_are_exactly_0_1_2(args, code, message, capsys):
    assert main(args) == code
    out, err = capsys.readouterr()
    if message is not None:
        line = one_line_error(SimpleNamespace(returncode=code, stdout=out, stderr=err), args[0])
        assert message in line


def test_an_unexpected_failure_is_exit_code_2_in_one_line(monkeypatch, capsys):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(sys.modules["symact.proof"], "prove", broken)
    assert main(["prove", "x", "x"]) == 2
    out, err = capsys.readouterr()
    assert "RuntimeError: boom" in one_line_error(SimpleNamespace(returncode=2, stdout=out, stderr=err), "prove")


# ---- a command line that knows it is one --------------------------------------------------------------
def test_a_closed_pipe_ends_quietly_with_exit_0():
    result = subprocess.run(
        f"{sys.executable} -m symact list | head -1",
        shell=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        executable="/bin/bash",
    )
    assert result.stdout.startswith("name") and len(result.stdout.splitlines()) == 1
    assert "BrokenPipe" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args, hint",
    [
        (["derive", "2x"], "for a product write '2*x'"),
        (["derive", "0.5sigmoid(x)", "--no-isolate"], "did you mean 0.5*sigmoid"),
        (["kernel", "sigmoid", "--at", "-1,0"], "write --at=VALUE, as in --at=-1,0"),
        (["plot", "relu", "-o", "r.png", "--xlim", "-2,2"], "write --xlim=VALUE"),
        (["derive", "y*2", "--no-isolate"], "give it a value with --param y=VALUE"),
    ],
)
def test_usage_errors_give_the_command_line_hint(args, hint):
    result = symact(*args)
    assert result.returncode == 2 and hint in result.stderr, result.stderr
    assert "as a keyword" not in result.stderr and result.stderr.count(f"{args[0]}: ") == 1


@pytest.mark.parametrize("command", ["derive", "prove", "kernel", "notes", "plot", "table"])
def test_every_computing_subcommand_takes_a_budget(command):
    from symact.cli import build_parser

    parser = build_parser()
    extra = {"derive": ["relu"], "prove": ["x", "x"], "kernel": ["relu", "--at", "1"], "plot": ["relu", "-o", "a.png"]}
    args = parser.parse_args([command, *extra.get(command, []), "--budget", "7"])
    assert args.budget == 7


def test_kernel_budget_reaches_the_kernel_and_notes_default_to_notes_tex():
    from symact.cli import build_parser

    assert build_parser().parse_args(["notes", "--pdf"]).output == "notes.tex"
    result = symact("kernel", "relu", "--at=-1,2", "--budget", "60")
    assert result.returncode == 0 and result.stdout.splitlines()[-1].split() == ["2", "2", "1", "1"]


def test_decimals_are_printed_as_typed():
    listing = symact("list").stdout
    assert "0.044715*x**3" in listing and "8943" not in listing and "negative_slope=0.01" in listing
    derived = symact("derive", "gelu_tanh", "--no-isolate").stdout
    assert "0.044715" in derived and "200000" not in derived
