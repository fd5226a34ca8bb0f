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
