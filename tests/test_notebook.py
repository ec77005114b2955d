"""The example notebook runs top to bottom, from a copy, writing nothing into the repository."""

from __future__ import annotations

import shutil
import time

import nbformat
from conftest import ROOT
from nbclient import NotebookClient

NOTEBOOK = ROOT / "examples" / "research.ipynb"


def test_the_research_notebook_runs(tmp_path):
    copy = tmp_path / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    nb = nbformat.read(copy, as_version=4)
    assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")  # kept clean
    started = time.monotonic()
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    assert time.monotonic() - started < 60
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("text/html" in o.get("data", {}) for o in outputs)  # a Result's table
    assert any("image/png" in o.get("data", {}) for o in outputs)  # the waves
    assert sorted(p.name for p in tmp_path.iterdir()) == [NOTEBOOK.name]  # it wrote nothing
