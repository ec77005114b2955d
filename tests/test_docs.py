"""The documentation site builds with ``mkdocs build --strict``, and its generated pages are whole.

``mkdocs.yml`` sets ``strict: true`` and warns on broken links and anchors, so a page linking to
nothing or a docstring mkdocstrings cannot parse fails here. The build takes a few seconds.
"""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from simulator import _EXPORTS
from simulator.cli import COMMANDS

# the hooks are a tool beside the package, not part of it: loaded from their file
_spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
docs_hooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(docs_hooks)


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WARNING" not in done.stderr, done.stderr
    return out


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_site_builds_strict_with_every_page(site):
    for page in [
        "index.html",
        "tutorial/cli/index.html",
        "tutorial/python/index.html",
        "how-to/scenario/index.html",
        "how-to/own-data/index.html",
        "how-to/dask/index.html",
        "how-to/law-table/index.html",
        "reference/cli/index.html",
        "reference/api/index.html",
        "reference/schema/index.html",
        "reference/law/index.html",
        "explanation/method/index.html",
        "explanation/validation/index.html",
        "explanation/limitations/index.html",
        "architecture/index.html",
        "reference/scenario.schema.json",
        "releases_by_month.png",
    ]:
        assert (site / page).is_file(), page
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "<!-- readme" not in text and "<!-- cli-help" not in text, page
        # no font, style sheet or script fetched from elsewhere (theme.font: false)
        assert "fonts.googleapis.com" not in text, page
        assert not re.search(r'<(script|link)[^>]*(src|href)="(https?:)?//', text), page


def test_cli_reference_lists_every_command_with_its_help(site):
    text = _text(site / "reference" / "cli" / "index.html")
    for name in COMMANDS:
        assert f"Usage: simulate {name} [OPTIONS]" in text, name
        assert COMMANDS[name].summary in " ".join(text.split()), name


def test_api_reference_documents_every_public_name(site):
    text = _text(site / "reference" / "api" / "index.html")
    for name in _EXPORTS:
        assert f"simulator.{name}" in text, name
    assert ":func:" not in text and ":class:" not in text


def test_law_reference_lists_every_law_file_with_its_sources(site):
    text = _text(site / "reference" / "law" / "index.html")
    for path in sorted((ROOT / "data" / "law").iterdir()):
        assert path.name in text, path.name
        assert docs_hooks._sources(path), path.name
    assert "Pulsifer v. United States" in text


def test_pages_hold_their_own_text_and_the_readme_links_to_them():
    """The long sections moved from README.md into the pages; README links to each page."""
    pages = sorted((ROOT / "docs").rglob("*.md"))
    for page in pages:
        assert "<!-- readme" not in page.read_text(encoding="utf-8"), page
    limitations = (ROOT / "docs" / "explanation" / "limitations.md").read_text(encoding="utf-8")
    assert "- **When courts decided.**" in limitations
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 200
    linked = set(re.findall(r"\]\((docs/[^)#\s]+\.md)\)", readme))
    assert linked, "README.md links to no page of docs/"
    for target in linked:
        assert (ROOT / target).is_file(), target
    nav = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    for page in pages:
        name = page.relative_to(ROOT / "docs").as_posix()
        if name == "index.md":  # the site's home page is the README's own text, shortened
            continue
        assert f"docs/{name}" in linked, f"README.md does not link to docs/{name}"
        assert f": {name}" in nav, f"mkdocs.yml nav does not list {name}"
