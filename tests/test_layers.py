"""Data flows one way: the import-linter contracts of pyproject.toml hold."""

from pathlib import Path

import pytest

importlinter_cli = pytest.importorskip("importlinter.cli")

ROOT = Path(__file__).resolve().parents[1]


def test_no_stage_imports_a_later_stage(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    code = importlinter_cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"),
                                         no_cache=True)
    out = capsys.readouterr().out
    assert code == 0, out
    assert "broken" in out and "0 broken" in out
    assert "ignore_imports" not in (ROOT / "pyproject.toml").read_text(encoding="utf-8")


def _functions(path):
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node, node.end_lineno - node.lineno + 1


def test_functions_are_short_unless_a_numerical_kernel_says_why():
    long = []
    for path in sorted((ROOT / "glipca").rglob("*.py")):
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, n in _functions(path):
            body = "\n".join(lines[node.lineno - 1:node.end_lineno])
            if n > 80 and "# Numerical kernel:" not in body:
                long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({n} lines)")
    assert not long, long


def test_the_pipeline_reads_as_the_chain():
    path = ROOT / "glipca" / "pipeline.py"
    sizes = {node.name: n for node, n in _functions(path)}
    assert sizes["run_analysis"] < 60 and sizes["resume"] < 60
