"""The API reference's sources: every module has a page, and docs/conf.py's docstring fix-up is right.

The build itself (``python -m sphinx -W --keep-going -b html docs docs/_build/html``) runs in .ci/run.
"""

import importlib.util
import pkgutil
import re
from pathlib import Path

import symact

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _conf():
    spec = importlib.util.spec_from_file_location("docs_conf", DOCS / "conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)  # imports symact only; Sphinx is imported by setup(), not called here
    return conf


def test_every_module_has_a_page():
    documented = set()
    for page in DOCS.glob("*.rst"):
        documented |= set(re.findall(r"^\.\. automodule:: (\S+)", page.read_text(), re.M))
    modules = {
        m.name
        for m in pkgutil.walk_packages(symact.__path__, "symact.")
        if not m.name.rpartition(".")[2].startswith("_")
    }
    assert modules - documented == set(), "add these modules to a page of docs/"
    assert documented - modules == {"pytest_symact"}, "docs/ names modules that do not exist"


def test_bars_are_escaped_outside_code_only():
    lines = [
        "Bounded by |x| for all x; ``|x|`` in code stays.",
        "",
        ">>> abs(-1) | 0",
        "1",
        "",
        "A table::",
        "",
        "    | a | b |",
        "",
        "Then |u| again.",
    ]
    _conf()._plain_bars(None, "module", "m", None, {}, lines)
    assert lines[0] == r"Bounded by \|x\| for all x; ``|x|`` in code stays."
    assert lines[2:4] == [">>> abs(-1) | 0", "1"]  # a doctest is literal
    assert lines[7] == "    | a | b |"  # so is a literal block
    assert lines[9] == r"Then \|u\| again."


def test_public_api_table_links_every_public_name():
    rows = _conf()._public_api_rows()
    targets = [row for row in rows if row.startswith("   * - ")]
    assert len(targets) == len(symact.__all__)
    assert "   * - :py:obj:`symact.derive <symact.derivation.derive>`" in rows
    assert "   * - :py:obj:`symact.SymactError <symact.errors.SymactError>`" in rows
