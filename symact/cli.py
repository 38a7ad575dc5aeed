"""The ``symact`` command line.

Exit codes: 0 success (or proved), 1 refuted, 2 unknown or a usage error; errors go to
stderr in one line.

>>> main(['derive', 'relu']) == 0
relu(x)   = Max(0, x)
...
True
"""

from __future__ import annotations

import argparse
import sys

from . import catalog
from .derive import derive
from .errors import SymactError
from .kinks import POLICIES

__all__ = ["main", "build_parser"]

EXAMPLES = {
    "list": "symact list",
    "derive": "symact derive swish\n  symact derive swish --param beta=2 --latex\n  symact derive 'x*tanh(exp(x))'",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symact",
        description="Derive, compile and prove the mathematics of activation functions.",
        epilog="examples:\n  " + "\n  ".join(EXAMPLES.values()),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    listing = _command(commands, "list", "the catalog, with parameters and framework names")
    listing.set_defaults(run=_list)

    deriving = _command(commands, "derive", "f, f', f'', f' from the output and kinks of an activation")
    deriving.add_argument("activation", help="a catalog name or an expression in x")
    deriving.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="fix a parameter")
    deriving.add_argument("--kink", choices=POLICIES, default="torch", help="derivative convention at kinks")
    deriving.add_argument("--latex", action="store_true", help="print LaTeX instead of text")
    deriving.set_defaults(run=_derive)
    return parser


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
        expr = str(entry.expr) if isinstance(entry, catalog.Activation) else "vector"
        rows.append((name, params or "-", entry.torch or "-", entry.jax or "-", expr))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[4])
    return 0


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 12 else f"{float(value):.10g}"


def _parse_params(pairs: list[str]) -> dict:
    from .parse import parse

    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise SymactError(f"--param expects NAME=VALUE, got {pair!r}")
        params[name.strip()] = parse(value)
    return params


def _derive(args) -> int:
    d = derive(args.activation, kink=args.kink, **_parse_params(args.param))
    print(d.latex() if args.latex else d)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    try:
        return args.run(args)
    except SymactError as err:
        message = str(err).splitlines()[0] if str(err) else type(err).__name__
        print(f"symact {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
