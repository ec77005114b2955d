"""MkDocs hooks: the pages that are made from the project itself, so they cannot drift from it.

``mkdocs.yml`` names this file under ``hooks:``. A page under ``docs/`` may hold these
directives, each an HTML comment on a line of its own, replaced when the site is built:

- ``<!-- cli-help -->``: ``simulate --help`` and every command's ``--help`` (from
  ``simulator.cli.COMMANDS``).
- ``<!-- law-tables -->``: every file in ``data/law/`` with the sources it carries (its
  ``# source:`` comments and ``source:`` fields).
- ``<!-- scenario-schema -->``: the top-level keys and change types of the JSON Schema of
  scenario files, and the schema in full; the schema is also published as
  ``reference/scenario.schema.json``.
- ``<!-- api-exports -->``: one mkdocstrings block for each public name of ``simulator``
  (``simulator._EXPORTS``).

The rest of every page is its own text.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
_DIRECTIVE = re.compile(
    r"^<!-- (cli-help|law-tables|scenario-schema|api-exports) -->$",
    re.MULTILINE,
)


def cli_help() -> str:
    """``simulate --help`` and every command's help, as Markdown."""
    import click

    from simulator.cli import COMMANDS, load_command, main

    def help_of(command: click.Command, name: str) -> str:
        width = {"terminal_width": 100, "max_content_width": 100}
        with click.Context(command, info_name=name, **width) as ctx:
            return command.get_help(ctx)

    parts = ["## simulate", "", "```text", help_of(main, "simulate"), "```", ""]
    for name in sorted(COMMANDS):
        parts += [
            f"## simulate {name}",
            "",
            COMMANDS[name].summary,
            "",
            "```text",
            help_of(load_command(name), f"simulate {name}"),
            "```",
            "",
        ]
    return "\n".join(parts)


def _sources(path: Path) -> list[str]:
    """The ``# source:`` comment blocks and ``source:`` fields of a law file."""
    found: list[str] = []
    block: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        comment = re.match(r"^\s*#\s?(.*)$", line)
        if comment and re.match(r"sources?:", comment.group(1).strip()):
            block = [comment.group(1).strip().split(":", 1)[1].strip()]
            found.append("")
        elif comment and block is not None and re.match(r"^\s*#(\s{2,}|\s*- )", line):
            block.append(comment.group(1).strip())
        else:
            block = None
        if block is not None:
            found[-1] = " ".join(part for part in block if part)
        field = re.search(r"""\bsource:\s*("(?:[^"\\]|\\.)*"|'[^']*')""", line)
        if field and not comment:
            found.append(field.group(1)[1:-1])
    return [text for text in dict.fromkeys(found) if text]


def law_tables() -> str:
    """Every file of ``data/law/`` with the sources it carries."""
    parts = []
    for path in sorted((ROOT / "data" / "law").iterdir()):
        if path.suffix not in {".yaml", ".csv"}:
            continue
        first = path.read_text(encoding="utf-8").splitlines()[0].lstrip("# ").strip()
        parts += [f"### `{path.name}`", ""]
        if not first.lower().startswith("source"):
            parts += [first, ""]
        sources = _sources(path)
        parts += [f"- {source}" for source in sources] or ["- (no source recorded)"]
        parts.append("")
    return "\n".join(parts)


def _schema() -> dict[str, Any]:
    from simulator.scenario.json_schema import scenario_schema

    return scenario_schema()


def schema_page() -> str:
    """The scenario schema's top-level keys and change types, then the schema in full."""
    schema = _schema()
    rows = ["| key | type | description |", "|---|---|---|"]
    required = set(schema.get("required", []))
    defs = schema.get("$defs", {})

    def kind_of(spec: dict[str, Any]) -> str:
        if "$ref" in spec:
            return f"`{spec['$ref'].rsplit('/', 1)[-1]}`"
        if "type" in spec:
            items = spec.get("items", {})
            return f"{spec['type']} of {kind_of(items)}" if items else str(spec["type"])
        options = spec.get("anyOf") or spec.get("oneOf") or []
        return " or ".join(kind_of(option) for option in options) or "any"

    for key, spec in schema.get("properties", {}).items():
        ref = spec.get("$ref", "").rsplit("/", 1)[-1]
        text = spec.get("description") or defs.get(ref, {}).get("description", "")
        text = " ".join(str(text).split()).replace("|", "\\|")
        kind = kind_of(spec).replace("|", "\\|")
        rows.append(f"| `{key}`{' (required)' if key in required else ''} | {kind} | {text} |")
    changes = sorted(
        name
        for name, spec in defs.items()
        if "type" in spec.get("properties", {}) and "const" in spec["properties"]["type"]
    )
    kinds = [f"`{defs[name]['properties']['type']['const']}` ({name})" for name in changes]
    text = json.dumps(schema, indent=2, ensure_ascii=False)
    return "\n".join(
        [
            *rows,
            "",
            "Change types: " + (", ".join(kinds) if kinds else "see the schema below") + ".",
            "",
            "The schema as a file: [scenario.schema.json](scenario.schema.json) (the same as "
            "`simulate schema -o scenario.schema.json`).",
            "",
            '??? note "The schema in full"',
            "",
            "    ```json",
            *("    " + line for line in text.splitlines()),
            "    ```",
            "",
        ]
    )


def api_exports() -> str:
    """One mkdocstrings block for each public name of ``simulator``."""
    from simulator import _EXPORTS

    parts = []
    for name, module in _EXPORTS.items():
        parts += [
            f"## `simulator.{name}`",
            "",
            f"::: {module}.{name}",
            "    options:",
            "      show_root_heading: false",
            "      heading_level: 3",
            "",
        ]
    return "\n".join(parts)


def expand(markdown: str, page: str) -> str:
    """Replace every directive of ``markdown`` (the page ``page``, a path under docs/)."""

    def replace(match: re.Match) -> str:
        return {
            "cli-help": cli_help,
            "law-tables": law_tables,
            "scenario-schema": schema_page,
            "api-exports": api_exports,
        }[match.group(1)]()

    return _DIRECTIVE.sub(replace, markdown)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs hook: expand the page's directives."""
    return expand(markdown, page.file.src_uri)


def on_files(files: Any, config: Any) -> Any:
    """MkDocs hook: publish the scenario JSON Schema as a file of the site."""
    from mkdocs.structure.files import File

    text = json.dumps(_schema(), indent=2, ensure_ascii=False) + "\n"
    files.append(File.generated(config, "reference/scenario.schema.json", content=text))
    return files


_ROLE = re.compile(r":(?:func|class|meth|data|mod|attr|exc|obj|ref):(<code>)~?")


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """MkDocs hook: docstrings' Sphinx roles (``:func:`x```) shown as plain code."""
    return _ROLE.sub(r"\1", html)
