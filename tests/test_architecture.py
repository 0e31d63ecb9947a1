"""The house rules a reader relies on: the README's command table is the CLI, and only the CLI talks to the
terminal (prints, reads input, parses argv, exits); everything else raises and lets a front end report."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dashboard.cli import COMMANDS

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dashboard"
CLI = PACKAGE / "cli"
# path (relative to the checkout) → the terminal calls it may make, and why
ALLOWED = {
    "dashboard/__main__.py": {"sys.exit"},  # ``python -m dashboard`` hands cli.main's status to the shell
    "dashboard/views/config.py": {"import argparse"},  # the app's own ``streamlit run app.py -- --log …`` args
}
TERMINAL_CALLS = {"print", "input", "exit", "quit", "sys.exit", "os._exit"}
TERMINAL_STREAMS = {"sys.stdout", "sys.stderr", "sys.stdin"}


def readme_commands() -> list[str]:
    """The commands named in the first column of the README's "Command line" table."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Command line\n(.*?)(?=^## )", text, re.S | re.M)
    assert section, "README has no '## Command line' section"
    return re.findall(r"^\| `databloom ([a-z-]+)", section.group(1), re.M)


def dotted(node: ast.AST) -> str:
    """``sys.exit`` for the expression ``sys.exit``; '' for anything that is not a plain dotted name."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else ""
    return ""


def imported(node: ast.AST) -> set[str]:
    """The modules an import statement imports (none for any other node)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    if isinstance(node, ast.ImportFrom) and node.module:
        return {node.module}
    return set()


def terminal_uses(source: str) -> set[str]:
    """What a module does that belongs to the CLI: print/input/exit calls, std streams, argparse imports."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and dotted(node.func) in TERMINAL_CALLS:
            found.add(dotted(node.func))
        elif isinstance(node, ast.Attribute) and dotted(node) in TERMINAL_STREAMS:
            found.add(dotted(node))
        elif "argparse" in imported(node):
            found.add("import argparse")
    return found


def test_readme_command_table_is_the_cli() -> None:
    listed = readme_commands()
    assert len(listed) == len(set(listed)), f"listed twice: {listed}"
    assert set(listed) == set(COMMANDS)


def test_the_scan_sees_what_it_forbids() -> None:
    source = "import argparse\nimport sys\nprint(1)\nsys.exit(2)\ninput()\nsys.stderr.write('x')\n"
    assert terminal_uses(source) == {"import argparse", "print", "sys.exit", "input", "sys.stderr"}
    assert terminal_uses("log.print_summary(x)\nst.text_input('a')\nfrom argparse_extra import y\n") == set()


def test_only_the_cli_talks_to_the_terminal() -> None:
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if CLI in path.parents:
            continue
        name = path.relative_to(ROOT).as_posix()
        uses = terminal_uses(path.read_text(encoding="utf-8")) - ALLOWED.get(name, set())
        if uses:
            offenders[name] = sorted(uses)
    assert offenders == {}, "raise a DataBloomError instead; the CLI prints it (dashboard/cli/)"
