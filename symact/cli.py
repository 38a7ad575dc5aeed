"""The ``symact`` command line: list, derive, prove, kernel, notes, plot, check, table.

Exit codes: 0 success (or proved), 1 refuted, 2 unknown or a usage error; errors go to
stderr in one line.

>>> main(['derive', 'relu']) == 0
relu(x)   = Max(0, x)
...
True
"""

from __future__ import annotations

import argparse
import os
import re
import sys

from symact import catalog
from symact.analysis.result import PROPERTY_NAMES
from symact.analysis.tables import TABLE_COLUMNS
from symact.budget import DEFAULT_BUDGETS, guard, within
from symact.derivation import derive
from symact.errors import ParseError, SymactError
from symact.formula.printer import decimals
from symact.isolation import warm
from symact.kinks import POLICIES
from symact.version import __version__

__all__ = ["main", "build_parser"]

EXAMPLES = {
    "list": "symact list",
    "derive": "symact derive swish\n  symact derive swish --param beta=2 --latex\n  symact derive 'x*tanh(exp(x))'",
    "prove": "symact prove 'tanh(x) + 1' '2*sigmoid(2*x)'\n  symact prove 'tanh(x) + 1' '2*sigmoid(x)'   # refuted, exit 1"
    "\n  symact prove 'sigmoid(-x)' '1 - sigmoid(x)' --latex",
    "kernel": "symact kernel sigmoid --at 0.5,1,2\n  symact kernel leaky_relu --at=-1,0,1 --param negative_slope=0.1"
    "\n  symact kernel gelu --at 0.5,1,2 --dtype float32",
    "notes": "symact notes -o notes.tex --pdf\n  symact notes -o relu.tex --only relu,prelu --figures picture"
    "\n  symact notes -o handout.tex --theorems vanishing,xor_two_relu_units --no-proofs --author 'A. Lecturer'",
    "plot": "symact plot relu gelu -o activations.png\n  symact plot swish --param beta=2 -o swish.pdf --no-derivative",
    "check": "symact check",
    "table": "symact table\n  symact table relu sigmoid gelu --columns range,continuity,lipschitz"
    "\n  symact table --format latex > properties.tex",
}

VERDICT_CODES = {"proved": 0, "checked": 0, "refuted": 1, "unknown": 2}


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors in one line on stderr (exit code 2)."""

    def error(self, message: str):
        option = re.match(r"argument ([-\w/ ]*?--[\w-]+): expected one argument", message)
        if option:  # a value that starts with '-' reads as an option: --at -1,0
            name = option.group(1).split("/")[-1].strip()
            message += f"; for a value starting with '-' write {name}=VALUE, as in {name}=-1,0"
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``symact`` command, one subcommand per action.

    >>> build_parser().parse_args(['derive', 'relu']).command
    'derive'
    """
    parser = _Parser(
        prog="symact",
        description="Derive, compile and prove the mathematics of activation functions.",
        epilog="examples:\n  " + "\n  ".join(EXAMPLES.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    listing = _command(commands, "list", "the catalog, with parameters and framework names")
    listing.set_defaults(run=_list)

    deriving = _command(commands, "derive", "f, f', f'', f' from the output and kinks of an activation")
    deriving.add_argument("activation", help="a catalog name or an expression in x")
    deriving.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter")
    deriving.add_argument("--kink", choices=POLICIES, default="torch", help="derivative convention at kinks")
    deriving.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    _bounded(deriving, "derive", "the derivation")
    deriving.set_defaults(run=_derive)

    proving = _command(commands, "prove", "prove, refute or leave open LHS = RHS for all real x")
    proving.add_argument("lhs", help="left-hand side, an expression in x (catalog names are callable)")
    proving.add_argument("rhs", help="right-hand side")
    proving.add_argument("--latex", action="store_true", help="print the proof chain as LaTeX")
    _bounded(proving, "prove", "the whole proof")
    proving.set_defaults(run=_prove)

    compiling = _command(commands, "kernel", "values of f and f' from the compiled NumPy kernel")
    compiling.add_argument("activation", help="a catalog name or an expression in x")
    compiling.add_argument("--at", required=True, metavar="X1,X2,...", help="points, comma-separated (--at=-1,0,1)")
    compiling.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter")
    compiling.add_argument("--kink", choices=POLICIES, default="torch", help="derivative convention at kinks")
    compiling.add_argument("--dtype", choices=("float64", "float32"), default="float64", help="array dtype")
    _budget(compiling, "kernel", "compiling the kernel")
    compiling.set_defaults(run=_kernel)

    writing = _command(commands, "notes", "lecture notes: a LaTeX document with the catalog, plots and theorems")
    writing.add_argument(
        "-o",
        "--output",
        default="notes.tex",
        metavar="FILE.tex",
        help="where to write the document (default notes.tex)",
    )
    writing.add_argument("--pdf", action="store_true", help="also compile it with pdflatex")
    writing.add_argument(
        "--figures",
        choices=("auto", "matplotlib", "picture", "none"),
        default="auto",
        help="plots: matplotlib PDFs when installed (auto), LaTeX picture drawings, or none",
    )
    writing.add_argument("--only", metavar="NAMES", help="comma-separated activations (default: the whole catalog)")
    writing.add_argument(
        "--theorems",
        metavar="NAMES",
        help="comma-separated theorem names or sections (default: all, or with --only those concerning the "
        "chosen activations plus the general ones)",
    )
    writing.add_argument("--no-theorems", action="store_true", help="leave out the theorems section")
    writing.add_argument("--no-proofs", action="store_true", help="theorems with their verdicts only, no proofs")
    writing.add_argument("--title", help="the document's title (default: Activation functions: definitions, ...)")
    writing.add_argument("--author", default="", help="the author line (default: none)")
    writing.add_argument("--date", default="", help="the date line (default: none)")
    writing.add_argument("--no-properties", action="store_true", help="leave out the table of properties")
    writing.add_argument("--kink", choices=POLICIES, default="torch", help="derivative convention at kinks")
    _budget(writing, "notes", "the whole document")
    writing.set_defaults(run=_notes)

    drawing = _command(commands, "plot", "plot f and f' of one or more activations to a PNG, PDF or SVG file")
    drawing.add_argument("activations", nargs="+", metavar="NAME", help="catalog names or expressions in x")
    drawing.add_argument("-o", "--output", required=True, metavar="FILE", help="the image file (.png, .pdf, .svg)")
    drawing.add_argument("--no-derivative", action="store_true", help="draw f only")
    drawing.add_argument("--xlim", default="-4,4", metavar="LOW,HIGH", help="the x range (default -4,4)")
    drawing.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter")
    drawing.add_argument("--kink", choices=POLICIES, default="torch", help="derivative convention at kinks")
    _budget(drawing, "plot", "the plot")
    drawing.set_defaults(run=_plot)

    checking = _command(commands, "check", "run every theorem of the chapter and print a table of verdicts")
    checking.set_defaults(run=_check)

    tabling = _command(
        commands, "table", "the properties table (range, continuity, monotonicity, ...), each cell proved"
    )
    tabling.add_argument("names", nargs="*", help="activations (default: the whole catalog)")
    tabling.add_argument(
        "--columns",
        help=f"comma-separated properties, any of: {', '.join(PROPERTY_NAMES)} (default: {','.join(TABLE_COLUMNS)})",
    )
    tabling.add_argument("--format", choices=("text", "markdown", "latex"), default="text", help="output format")
    _bounded(tabling, "table", "the whole table")
    tabling.set_defaults(run=_table)
    return parser


def _budget(command: argparse.ArgumentParser, name: str, what: str) -> None:
    """``--budget``, defaulting to ``DEFAULT_BUDGETS[name]``."""
    default = DEFAULT_BUDGETS[name]
    command.add_argument("--budget", type=_seconds, default=default, help=f"seconds for {what} (default {default:g})")


def _bounded(command: argparse.ArgumentParser, name: str, what: str) -> None:
    """``--budget`` and ``--no-isolate`` for a command that runs untrusted input in a killable worker."""
    _budget(command, name, what)
    command.add_argument(
        "--no-isolate",
        dest="isolate",
        action="store_false",
        help="run in this process: faster to start, but a single C-level step cannot be cut off at the budget",
    )


def _command(commands, name: str, help_text: str) -> argparse.ArgumentParser:
    return commands.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog="example:\n  " + EXAMPLES[name],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )


def _list(args) -> int:
    rows = [("name", "parameters", "torch", "jax", "f(x)")]
    for name in catalog.names(vector=True):
        entry = catalog.get(name)
        params = ", ".join(f"{p}={_short(v)}" for p, v in getattr(entry, "defaults", {}).items())
        expr = str(decimals(entry.expr)) if isinstance(entry, catalog.Activation) else "vector"
        rows.append((name, params or "-", entry.torch or "-", entry.jax or "-", expr))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    return 0


def _short(value) -> str:
    text = str(decimals(value))
    return text if len(text) <= 12 else f"{float(value):.10g}"


def _parse_params(pairs: list[str]) -> dict:
    from symact.parsing import parse

    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise SymactError(f"--param expects NAME=VALUE, got {pair!r}")
        params[name.strip()] = parse(value)
    return params


def _derive(args) -> int:
    d = derive(args.activation, kink=args.kink, budget=args.budget, isolate=args.isolate, **_parse_params(args.param))
    print(d.latex() if args.latex else d)
    return 0


def _prove(args) -> int:
    from symact.proof import prove
    from symact.render.latex import proof as proof_latex

    try:
        p = prove(args.lhs, args.rhs, budget=args.budget, isolate=args.isolate)
    except ParseError as err:
        side = "left side" if err.text == args.lhs else "right side" if err.text == args.rhs else None
        if side is None:
            raise
        raise ParseError(f"{side}: {str(err).splitlines()[0]}", err.text, err.position) from None
    print(proof_latex(p) if args.latex else p)
    return VERDICT_CODES.get(p.status, 2)


def _numbers(text: str, option: str) -> list[float]:
    values = []
    for item in text.split(","):
        try:
            values.append(float(item))
        except ValueError:
            raise SymactError(
                f"{option} expects comma-separated numbers such as 0.5,1,2; got {item.strip()!r}"
            ) from None
    return values


def _kernel(args) -> int:
    import numpy as np

    from symact.kernels import VectorKernel, kernel

    points = np.array(_numbers(args.at, "--at"), dtype=args.dtype)
    k = kernel(args.activation, kink=args.kink, budget=args.budget, **_parse_params(args.param))
    if isinstance(k, VectorKernel):  # one input vector: f and the Jacobian's rows d f_i / d x
        jacobian = k.jacobian(points)
        columns = [("x", points), ("f(x)", k(points))]
        columns += [(f"d f{i + 1}/dx", row) for i, row in enumerate(jacobian)]
    else:
        columns = [("x", points), ("f(x)", k(points)), ("f'(x)", k.grad(points))]
        if k.has_output_form:
            columns.append(("f' from y", k.grad_from_output(k(points))))
    cells = [[label] + [f"{v:.{8 if args.dtype == 'float32' else 16}g}" for v in values] for label, values in columns]
    widths = [max(map(len, column)) for column in cells]
    for row in zip(*cells):
        print("  ".join(cell.rjust(w) for cell, w in zip(row, widths)).rstrip())
    return 0


def _notes(args) -> int:
    from symact.render import notes

    names = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else None
    if names is not None:
        for name in names:
            catalog.get(name)  # an unknown name fails here, with a suggestion
    written = notes.write(
        args.output,
        pdf=args.pdf,
        figures=args.figures,
        names=names,
        kink=args.kink,
        theorems=False if args.no_theorems else args.theorems or True,
        properties=not args.no_properties,
        title=args.title if args.title is not None else notes.TITLE,
        author=args.author,
        date=args.date,
        proofs=not args.no_proofs,
        budget=args.budget,
    )
    for path in written:
        print(f"wrote {path}")
    return 0


def _plot(args) -> int:
    from symact.render.plotting import plot

    xlim = _numbers(args.xlim, "--xlim")
    if len(xlim) != 2:
        raise SymactError(f"--xlim expects LOW,HIGH such as -4,4; got {args.xlim!r}")
    plot(
        args.activations,
        derivative=not args.no_derivative,
        xlim=tuple(xlim),
        path=args.output,
        kink=args.kink,
        budget=args.budget,
        **_parse_params(args.param),
    )
    print(f"wrote {args.output}")
    return 0


def _check(args) -> int:
    from symact.render.notes import theorem_results

    results = theorem_results()
    if not results:
        raise SymactError("no theorems ship with this installation of symact")
    rows = [("theorem", "verdict", "method")] + [(t.name, p.status, p.method) for t, p in results]
    widths = [max(len(str(r[i])) for r in rows) for i in range(2)]
    for row in rows:
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]}".rstrip())
    statuses = {p.status for _, p in results}
    proved, checked = (sum(p.status == s for _, p in results) for s in ("proved", "checked"))
    print(
        f"{proved} of {len(results)} proved" + (f", {checked} checked (numerically or on instances)" if checked else "")
    )
    return 1 if "refuted" in statuses else 2 if "unknown" in statuses else 0


def _table(args) -> int:
    from symact.analysis.tables import table

    columns = [c.strip() for c in args.columns.split(",") if c.strip()] if args.columns else None
    print(table(args.names or None, columns, format=args.format, budget=args.budget, isolate=args.isolate))
    return 0


def _seconds(text: str) -> float:
    """A positive, finite number of seconds (argparse rejects anything else with exit code 2)."""
    value = float(text)
    if not 0 < value < float("inf"):
        raise ValueError(text)
    return value


_seconds.__name__ = "positive number of seconds"  # argparse names the type in its message


def _flushed(code: int) -> int:
    sys.stdout.flush()  # a closed pipe shows here, inside main, not at exit
    return code


def _in_cli_terms(message: str, command: str) -> str:
    """A message of the Python API as the command line says it: ``--param NAME=VALUE`` for a keyword, and the
    command's name once."""
    keyword = re.search(r"parameter '(\w+)' (.*?)give it a value as a keyword", message)
    if keyword:
        message = message.replace("give it a value as a keyword", f"give it a value with --param {keyword[1]}=VALUE")
    return message.removeprefix(f"{command}: ")


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    # the budget bounds the whole command, the printing of its answer included; prove answers past its budget
    # with an unknown verdict (printed at a bounded size), which is printed
    seconds = None if args.command == "prove" else getattr(args, "budget", None)
    try:
        if getattr(args, "isolate", False):
            warm()  # a worker starts as symact imports: before the budget
        with within(seconds, f"symact {args.command}"), guard():
            return _flushed(args.run(args))
    except BrokenPipeError:  # the reader closed the pipe (symact list | head -1): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as err:  # every failure is exit code 2 with one line, never a traceback or 1 (refuted)
        message = _in_cli_terms(str(err).splitlines()[0][:300], args.command) if str(err) else type(err).__name__
        if isinstance(err, ParseError):  # the expression and the caret under the culprit
            message = "\n".join(line[:300] for line in str(err).splitlines()[:3])
        if not isinstance(err, SymactError):
            message = f"{type(err).__name__}: {message}"
        print(f"symact {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
