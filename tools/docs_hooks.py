"""MkDocs hooks: the pages that are made from the project itself, so they cannot drift from it.

``mkdocs.yml`` names this file under ``hooks:``. A page under ``docs/`` may hold these
directives, each an HTML comment on a line of its own, replaced when the site is built:

- ``<!-- readme: HEADING -->``: the section of README.md under that heading (its text, without
  the heading line, up to the next heading of the same or a higher level; headings inside fenced
  code are not headings). ``<!-- readme: HEADING | skip: A, B -->`` leaves out the subsections
  named. Subheadings move up so that the section's own level becomes the page's title level.
- ``<!-- readme-between: START ||| END -->``: README's lines from the first line beginning with
  START up to, not including, the next line beginning with END (``END`` may be ``#`` for the
  next heading of any level).
- ``<!-- readme: intro -->``: the README's text before its first ``##`` heading, without its
  title.
- ``<!-- cli-help -->``: ``simulate --help`` and every command's ``--help`` (from
  ``simulator.cli.COMMANDS``).
- ``<!-- law-tables -->``: every file in ``data/law/`` with the sources it carries (its
  ``# source:`` comments and ``source:`` fields).
- ``<!-- scenario-schema -->``: the top-level keys and change types of the JSON Schema of
  scenario files, and the schema in full; the schema is also published as
  ``reference/scenario.schema.json``.
- ``<!-- api-exports -->``: one mkdocstrings block for each public name of ``simulator``
  (``simulator._EXPORTS``).

Links inside README text are rewritten for the site: ``docs/X`` becomes the page-relative
``X``, a link to a README heading goes to the page that holds that section (:data:`ANCHORS`),
and any other relative link (to a file of the repository) becomes plain text. A directive whose
heading or line is not in README.md stops the build, so a renamed section is noticed.
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"

#: README anchor -> the site page (under docs/) that holds that section.
ANCHORS = {
    "exit-codes-and-outputs": "reference/outputs.md",
    "plots": "reference/outputs.md",
    "your-own-data": "how-to/own-data.md",
    "the-scenario-language": "reference/scenario-language.md",
    "population-snapshots-20002025": "explanation/method.md",
    "projection": "explanation/projection.md",
    "calibration": "explanation/validation.md",
    "the-2014-amendment-model-against-published-figures": "explanation/validation.md",
    "the-courts-process": "explanation/method.md",
}

_DIRECTIVE = re.compile(
    r"^<!-- (readme|readme-between|cli-help|law-tables|scenario-schema|"
    r"api-exports)(?::\s*(.*?))? -->$",
    re.MULTILINE,
)
_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^(#{1,6}) (.*)$")
_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(([^)\s]+)\)")


def _lines() -> list[str]:
    return README.read_text(encoding="utf-8").splitlines()


def _headings(lines: list[str]) -> list[tuple[int, int, str]]:
    """(line index, level, text) of every heading outside fenced code."""
    found, fenced = [], False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        match = None if fenced else _HEADING.match(line)
        if match:
            found.append((i, len(match.group(1)), match.group(2).strip()))
    return found


def readme_section(heading: str, skip: tuple[str, ...] = ()) -> str:
    """The README section under ``heading``, its subheadings moved up to the page's levels."""
    lines = _lines()
    heads = _headings(lines)
    if heading == "intro":
        first = next(i for i, level, _ in heads if level == 2)
        return "\n".join(lines[heads[0][0] + 1 : first]).strip("\n")
    try:
        k = next(k for k, (_, _, text) in enumerate(heads) if text == heading)
    except StopIteration:
        raise ValueError(f"README.md has no heading {heading!r}") from None
    start, level, _ = heads[k]
    end = next((i for i, lv, _ in heads[k + 1 :] if lv <= level), len(lines))
    inner = [h for h in heads[k + 1 :] if h[0] < end]
    dropped: set[int] = set()
    for name in skip:
        matches = [h for h in inner if h[2] == name]
        if not matches:
            raise ValueError(f"README.md section {heading!r} has no subsection {name!r}")
        i, lv, _ = matches[0]
        stop = next((j for j, lv2, _ in inner if j > i and lv2 <= lv), end)
        dropped.update(range(i, stop))
    heading_lines = {i for i, _, _ in inner}
    out = []
    for i in range(start + 1, end):
        if i in dropped:
            continue
        line = lines[i]
        if i in heading_lines:
            match = _HEADING.match(line)
            line = "#" * max(2, len(match.group(1)) - level + 1) + " " + match.group(2)
        out.append(line)
    return "\n".join(out).strip("\n")


def readme_between(start: str, end: str) -> str:
    """README's lines from the first beginning with ``start`` to the next beginning with ``end``."""
    lines = _lines()
    try:
        i = next(i for i, line in enumerate(lines) if line.startswith(start))
    except StopIteration:
        raise ValueError(f"README.md has no line beginning with {start!r}") from None
    j = next((j for j in range(i + 1, len(lines)) if lines[j].startswith(end)), None)
    if j is None:
        raise ValueError(f"README.md has no line beginning with {end!r} after {start!r}")
    return "\n".join(lines[i:j]).strip("\n")


def rewrite_links(text: str, page: str) -> str:
    """README links made right for the page ``page`` (a path under docs/)."""
    base = posixpath.dirname(page)

    def relative(target: str) -> str:
        return posixpath.relpath(target, base or ".")

    def fix(match: re.Match) -> str:
        bang, label, target = match.groups()
        if re.match(r"[a-z]+:", target):
            return match.group(0)
        if target.startswith("#"):
            anchor = target[1:]
            if anchor in ANCHORS:
                where = ANCHORS[anchor]
                return label if where == page else f"{bang}[{label}]({relative(where)})"
            return label
        if target.startswith("docs/"):
            return f"{bang}[{label}]({relative(target[len('docs/') :])})"
        return label  # a file of the repository, not of the site

    return _LINK.sub(fix, text)


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
        kind, argument = match.group(1), (match.group(2) or "").strip()
        if kind == "readme":
            heading, _, skip = argument.partition("| skip:")
            names = tuple(n.strip() for n in skip.split(",") if n.strip())
            return rewrite_links(readme_section(heading.strip(), names), page)
        if kind == "readme-between":
            start, _, end = argument.partition("|||")
            return rewrite_links(readme_between(start.strip(), end.strip()), page)
        return {
            "cli-help": cli_help,
            "law-tables": law_tables,
            "scenario-schema": schema_page,
            "api-exports": api_exports,
        }[kind]()

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
