r"""Scenario YAML as text and as nodes: where each key sits, and what YAML 1.1 would surprise.

The loader is PyYAML's safe loader (no objects, no code), extended to keep the node tree so
that a validation error can name the line and column of its key. :func:`yaml_problems` finds
repeated keys and the YAML 1.1 readings people rarely mean (``no`` as false, ``1e5`` as text,
``010`` as octal, ``1:30`` as base 60).

Examples
--------
>>> root, doc = parse_yaml("a:\n  b: 1\n", "x.yaml")
>>> doc, locate(root, ("a", "b"))
({'a': {'b': 1}}, (2, 3))
>>> [p[2] for p in yaml_problems(root)]
[]
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path
from typing import Any

import yaml

from simulator.errors import InputError
from simulator.files import read_user_text

#: At most this many values in a document once its aliases are expanded. A scenario holds a
#: few hundred; an alias bomb ("billion laughs": aliases of aliases of lists of aliases) holds
#: billions, which validation would walk for hours.
MAX_NODES = 100_000
#: At most this many levels of nesting (a scenario has fewer than ten); deeper would exhaust
#: Python's recursion in the loader.
MAX_DEPTH = 100
#: At most this many bytes in a file (a scenario holds a few thousand).
MAX_BYTES = 4 * 2**20


class LineLoader(yaml.SafeLoader):
    """Safe loader that keeps the node tree, bounded in size and depth, with no cycles.

    Each node's size counts its values as if every alias were written out
    (:data:`MAX_NODES`); nesting stops at :data:`MAX_DEPTH`; an alias inside the node it names
    (``a: &a [*a]``) is refused.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._sizes: dict[int, int] = {}  # id of a composed node -> its expanded size
        self._open: list[str] = []  # anchors of the collections being composed

    def compose_node(self, parent: yaml.Node | None, index: object) -> yaml.Node:
        """Compose as PyYAML does, refusing recursive aliases, deep nesting and huge trees."""
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) and event.anchor in self._open:
            raise self._refuse(event, f"alias *{event.anchor} is inside the node it names")
        if len(self._open) >= MAX_DEPTH:
            raise self._refuse(event, f"nested deeper than {MAX_DEPTH} levels")
        self._open.append(getattr(event, "anchor", None) or "")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._open.pop()
        if id(node) not in self._sizes:
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            else:
                children = node.value if isinstance(node, yaml.SequenceNode) else []
            size = 1 + sum(self._sizes[id(n)] for n in children)
            if size > MAX_NODES:
                copies = "each alias counted as a copy of what it names"
                raise self._refuse(event, f"more than {MAX_NODES:,} values ({copies})")
            self._sizes[id(node)] = size
        return node

    @staticmethod
    def _refuse(event: yaml.Event, problem: str) -> yaml.YAMLError:
        return yaml.composer.ComposerError(None, None, problem, event.start_mark)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct as PyYAML does; a value its explicit tag cannot read is a YAML error."""
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, AttributeError, OverflowError):
            what = repr(node.value) if isinstance(node, yaml.ScalarNode) else "this value"
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.tag} cannot read {what}", node.start_mark
            ) from None


def _construct_mapping(loader: LineLoader, node: yaml.MappingNode, deep: bool = False) -> dict:
    # a repeated key keeps its last value here; yaml_problems reports it with the other errors
    return loader.construct_mapping(node, deep=deep)


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# dates stay text for the models to parse: a bad one (2014-13-01) is then an error with its key,
# not an exception inside the YAML loader
LineLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if not tag.endswith(":timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(
    text: str, source: object, error: type[InputError] = InputError
) -> tuple[yaml.Node | None, Any]:
    """The node tree and the data of a YAML text; ``error`` names where a syntax error is.

    Raises
    ------
    InputError
        Of the class ``error``: ``file:line:col: (yaml): problem``.
    """
    try:
        loader = LineLoader(text)  # it reads every character here: a NUL is a ReaderError
        try:
            root = loader.get_single_node()
            return root, None if root is None else loader.construct_document(root)
        finally:
            loader.dispose()
    except yaml.reader.ReaderError as exc:
        where, code = f"{source}:{_line_col(text, exc.position)}", f"#x{exc.character:04x}"
        raise error(f"{where}: (yaml): the character {code} is not allowed in YAML") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{source}:{mark.line + 1}:{mark.column + 1}" if mark else str(source)
        problem = getattr(exc, "problem", None) or str(exc).replace("\n", " ")
        context, at = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and getattr(exc, "problem", None):  # "while scanning ...", "first occurrence"
            problem = f"{context}{f' at line {at.line + 1}' if at else ''}, {problem}"
        raise error(f"{where}: (yaml): {problem}") from None


def _line_col(text: str, position: int) -> str:
    """``line:col`` (1-based) of a character position in a text."""
    line = text.count("\n", 0, position) + 1
    column = position - text.rfind("\n", 0, position)
    return f"{line}:{column}"


def read_yaml_source(
    path: Path, error: type[InputError], what: str
) -> tuple[str, yaml.Node | None, Any]:
    """The text, node tree and data of a YAML file a user gave (``what`` names it in errors).

    Raises
    ------
    InputError
        Of the class ``error``, for a file that cannot be read, is larger than
        :data:`MAX_BYTES`, is not UTF-8 or is not valid YAML (including aliases that expand
        beyond :data:`MAX_NODES` values).
    """
    text = read_user_text(path, error, what, limit=MAX_BYTES)
    root, doc = parse_yaml(text, path, error)
    return text, root, doc


def locate(
    root: yaml.Node | None, loc: tuple, tags: Collection[str] = ()
) -> tuple[int, int] | None:
    """Line and column (1-based) of the deepest node found along a pydantic error location.

    ``tags`` are the names pydantic puts into a location after the index of a tagged union's
    item (the change types); they are not in the document and are passed over.
    """
    node, where = root, None
    for part in loc:
        if part in tags and isinstance(node, yaml.MappingNode):
            continue
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if k.value == str(part):
                    where, node = k.start_mark, v
                    break
            else:
                break
        elif (
            isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value)
        ):
            node = node.value[part]
            where = node.start_mark
        else:
            break
    if where is None and root is not None:
        where = root.start_mark
    return (where.line + 1, where.column + 1) if where else None


_PLAIN_KEY = re.compile(r"[\w-]+")


def dotted(loc: tuple, tags: Collection[str] = ()) -> str:
    """A key path as ``a.b.0.c``; a key that is empty or holds other characters is quoted.

    ``tags`` are left out, as in :func:`locate`.
    """
    parts = [
        str(p) if isinstance(p, int) or _PLAIN_KEY.fullmatch(str(p)) else repr(str(p))
        for p in loc
        if p not in tags
    ]
    return ".".join(parts) if parts else "(top)"


_EXPONENT_ONLY = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)[eE][-+]?\d+$")
_OCTAL_LOOKING = re.compile(r"^[-+]?0[0-7_]+$")

#: A problem found in the YAML itself: (line, column) or None, key path, message, and when it
#: counts: "always", "unless_bool" (unless the key takes true/false), "on_error" (only where the
#: value also fails validation).
Problem = tuple[tuple[int, int] | None, tuple, str, str]


def _surprise(node: yaml.ScalarNode) -> tuple[str, str] | None:
    """What YAML 1.1 makes of a plain scalar people often mean otherwise; when it is an error."""
    text, tag = node.value, node.tag.rsplit(":", 1)[-1]
    if tag == "bool" and text.lower() not in ("true", "false"):
        value = str(yaml.safe_load(text)).lower()
        msg = f"{text} is read as {value} (YAML 1.1); write {value}, or '{text}' in quotes"
        return msg + " for text", "unless_bool"
    if tag == "str" and _EXPONENT_ONLY.match(text):
        msg = f"{text} is read as text, not a number (YAML 1.1 wants a dot, as in 1.0e+5)"
        value = float(text)
        number = repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
        mantissa, e, exponent = number.partition("e")
        if e and "." not in mantissa:  # 1e+20 is text too: YAML 1.1 wants 1.0e+20
            number = f"{mantissa}.0e{exponent}"
        return msg + f"; write {number}", "on_error"
    if tag == "int" and _OCTAL_LOOKING.match(text):
        msg = f"{text} is the octal number {yaml.safe_load(text)} (YAML 1.1); write "
        return msg + f"{int(text.replace('_', ''), 10)} without the leading zero, or quote it", (
            "always"
        )
    if tag in ("int", "float") and ":" in text:
        return f"{text} is the base-60 number {yaml.safe_load(text)} (YAML 1.1); quote it", (
            "always"
        )
    return None


def yaml_problems(root: yaml.Node | None, prefix: tuple = ()) -> list[Problem]:
    """Repeated keys and YAML 1.1 surprises (``no``, ``1e5``, ``010``, ``1:30``) in a document."""
    problems: list[Problem] = []

    def pos(node: yaml.Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def walk(node: yaml.Node | None, loc: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            first: dict[Any, yaml.Node] = {}
            for k, v in node.value:
                key = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark)
                if key in first:
                    line = first[key].start_mark.line + 1
                    msg = f"duplicate key {key!r} (first at line {line})"
                    problems.append((pos(k), (*loc, key), msg, "always"))
                else:
                    first[key] = k
                walk(v, (*loc, key))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*loc, i))
        elif isinstance(node, yaml.ScalarNode) and node.style is None:
            found = _surprise(node)
            if found:
                problems.append((pos(node), loc, *found))

    walk(root, prefix)
    return problems
