"""docs/usage.md holds every command's --help as printed, and names no option
that does not exist; ``python -m tests.test_usage_doc`` rewrites its help blocks."""

import re
from pathlib import Path

from click.testing import CliRunner

from glipca.cli import main

ROOT = Path(__file__).resolve().parents[1]
USAGE = ROOT / "docs" / "usage.md"
COMMANDS = ("analyse", "count", "report", "posts")
#: Where the generated part of docs/usage.md begins.
MARK = "<!-- The blocks below are the commands' --help at 80 columns. -->\n"


def _help(command):
    ran = CliRunner().invoke(main, [command, "--help"], prog_name="glipca", terminal_width=80)
    assert ran.exit_code == 0, ran.output
    return ran.output


def help_blocks():
    """The generated part of docs/usage.md."""
    return "".join(f"\n### `glipca {c} --help`\n\n```text\n{_help(c)}```\n" for c in COMMANDS)


def test_the_usage_page_shows_every_commands_help_as_printed():
    text = USAGE.read_text(encoding="utf-8")
    assert MARK in text
    assert text.split(MARK, 1)[1] == help_blocks(), (
        "docs/usage.md is out of date: run python -m tests.test_usage_doc")


def test_the_docs_name_only_options_that_exist():
    known = {o for c in COMMANDS for o in re.findall(r"--[a-z][a-z0-9-]*", _help(c))}
    known |= {"--version"}
    for path in (USAGE, ROOT / "README.md", ROOT / "docs" / "report.md"):
        prose = path.read_text(encoding="utf-8").split(MARK)[0]
        # Commands of other programs (pip, Chromium, benchmark scripts) are not glipca's.
        prose = re.sub(r"(pip install|chromium|benchmarks/\w+\.py)[^`]*", "", prose)
        named = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", prose))
        assert named - known == set(), f"{path.name} names options glipca does not have"


def test_the_readme_is_a_short_tour():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "![" in readme and "docs/images/report-first-screen-en.png" in readme
    assert "docs/usage.md" in readme
    # No table cell runs for a paragraph: the reference lives in docs/usage.md.
    cells = [c for line in readme.splitlines() if line.startswith("|") for c in line.split("|")]
    assert max(len(c.split()) for c in cells) <= 25


if __name__ == "__main__":
    text = USAGE.read_text(encoding="utf-8")
    USAGE.write_text(text.split(MARK, 1)[0] + MARK + help_blocks(), encoding="utf-8")
    print(f"{USAGE} rewritten")
