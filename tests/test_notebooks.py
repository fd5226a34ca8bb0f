"""Every notebook runs top to bottom, and is stored without outputs."""

from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
#: Seconds a single cell may take on a slow, shared machine.
CELL_TIMEOUT = 120


def test_the_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS] == [
        "01_quickstart.ipynb", "02_japanese.ipynb", "03_parameters.ipynb",
        "04_monitoring.ipynb",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path):
    nbformat = pytest.importorskip("nbformat")
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata["kernelspec"]["name"] == "python3"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    # Run where a reader opens it, so that the notebook finds data/ as it
    # would; it writes only to temporary folders, and to the word-count
    # cache, which the session fixture points at one.
    client = nbclient.NotebookClient(
        notebook, timeout=CELL_TIMEOUT, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()  # raises at the first cell that fails
    # A result shown by the kernel is an HTML table of clusters.
    shown = [o["data"]["text/html"] for c in notebook.cells if c.cell_type == "code"
             for o in c.outputs if "text/html" in o.get("data", {})]
    assert any("<strong>TrendResult</strong>" in h and "<table>" in h for h in shown)
    # Every plotting cell shows its figure, not only the first one.
    for cell in notebook.cells:
        if cell.cell_type == "code" and ".plot" in cell.source:
            assert any("image/png" in o.get("data", {}) for o in cell.outputs), cell.source
