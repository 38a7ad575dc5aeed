"""Sphinx configuration: the API reference, built from the docstrings.

python -m sphinx -W --keep-going -b html docs docs/_build/html
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # document this checkout, installed or not

import inspect  # noqa: E402
import re  # noqa: E402

import symact  # noqa: E402

project = "symact"
release = symact.__version__
version = release
copyright = "symact contributors"

extensions = ["sphinx.ext.autodoc", "sphinx.ext.mathjax", "sphinx.ext.viewcode"]
exclude_patterns = ["_build"]
templates_path = []

# Members are what each module's __all__ lists; an object re-exported by a second module is
# documented where it is defined (see the :exclude-members: of the pages), so no entry is doubled.
autodoc_default_options = {"members": True, "undoc-members": True, "no-value": True}
autodoc_member_order = "bysource"

# A reference to a symact object that has no entry is an error; references to SymPy, NumPy and the
# standard library (from type hints) are not checked.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(?!symact\.|pytest_symact).*"),
    (r"py:.*", r".*\._\w+"),  # private classes (bases of the named functions, internal records)
]
nitpick_ignore = [
    ("py:class", "symact.kernels.compiled.Compiled")
]  # compile_expr's result, not in symact.kernels.compiled.__all__

html_theme = "alabaster"
html_title = f"symact {release}"


_LITERAL = re.compile(r"(``.+?``|`[^`]*`)")


def _escape_bars(line):
    """``|`` outside inline code, escaped: docstrings write absolute values as ``|x|``, which reST reads as a
    substitution."""
    parts = _LITERAL.split(line)
    return "".join(part if k % 2 else part.replace("|", r"\|") for k, part in enumerate(parts))


def _plain_bars(app, what, name, obj, options, lines):
    """Escape the bars of every docstring line outside doctests and literal blocks."""
    literal_indent, in_doctest = None, False
    for i, line in enumerate(lines):
        text = line.lstrip()
        if not text:
            in_doctest = False
            continue
        indent = len(line) - len(text)
        if literal_indent is not None and indent > literal_indent:
            continue  # inside a literal block
        literal_indent = None
        in_doctest = in_doctest or text.startswith(">>>")
        if in_doctest:
            continue
        lines[i] = _escape_bars(line)
        if line.rstrip().endswith("::"):
            literal_indent = indent


def _cli_help():
    """``symact --help`` and each command's ``--help``, from the parser itself (so the page cannot drift)."""
    import os

    from symact.cli import build_parser

    os.environ["COLUMNS"] = "100"  # argparse wraps to the terminal; fix the width for a stable page
    parser = build_parser()
    texts = [("symact --help", parser.format_help())]
    for action in parser._actions:  # the sub-command table is the one action whose choices are parsers
        if isinstance(getattr(action, "choices", None), dict):
            texts += [(f"symact {name} --help", sub.format_help()) for name, sub in action.choices.items()]
    return texts


def _home(name):
    """The module that documents ``symact.<name>``: the one defining it, else one re-exporting it in ``__all__``."""
    obj = getattr(symact, name)
    homes = [
        module.__name__
        for module in list(sys.modules.values())
        if module.__name__.startswith("symact.")
        and name in getattr(module, "__all__", ())
        and getattr(module, name, None) is obj
    ]
    defining = getattr(obj, "__module__", None)
    return defining if defining in homes else (homes[0] if homes else None)


def _public_api_rows():
    """reST rows for every name in ``symact.__all__``: a reference to its entry and its summary line."""
    rows = []
    for name in symact.__all__:
        obj, home = getattr(symact, name), _home(name)
        if home is None:
            target, summary = f"``symact.{name}``", "not listed in the ``__all__`` of any submodule"
        elif inspect.isclass(obj) or inspect.isroutine(obj):
            summary = _escape_bars((obj.__doc__ or "").strip().partition("\n")[0])
            target = f":py:obj:`symact.{name} <{home}.{name}>`"
        else:  # a constant or a symbol: autodoc gives data an entry only when it has a doc comment
            target, summary = f"``symact.{name}``", f"``{home}.{name}``, a {type(obj).__name__}; see :py:mod:`{home}`"
        rows += [f"   * - {target}", f"     - {summary}"]
    return rows


def setup(app):
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    class PublicApi(SphinxDirective):
        """``.. public-api::`` lists ``symact.__all__`` in its order, each name linked to its entry."""

        def run(self):
            lines = [".. list-table::", "   :header-rows: 1", "   :widths: 30 70", "", "   * - name", "     - summary"]
            lines += _public_api_rows()
            node = nodes.container()
            self.state.nested_parse(StringList(lines, source="public-api"), self.content_offset, node)
            return node.children

    class CliHelp(SphinxDirective):
        """``.. cli-help::`` inserts the help text of ``symact`` and of every command."""

        def run(self):
            out = []
            for title, text in _cli_help():
                section = nodes.rubric(text=title)
                out += [section, nodes.literal_block(text, text)]
            return out

    app.add_directive("cli-help", CliHelp)
    app.add_directive("public-api", PublicApi)
    app.connect("autodoc-process-docstring", _plain_bars)
