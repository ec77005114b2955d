"""The package's shape: layers, no import cycles, few imports in functions, data not literals.

``docs/architecture.md`` draws the layers; these tests keep the drawing true.
"""

from __future__ import annotations

import ast
import graphlib
import inspect
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from conftest import ROOT, SCENARIO_2014
from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

from simulator.cli import COMMANDS, load_command

PACKAGE = ROOT / "simulator"
#: At most this many imports may sit inside functions (optional dependencies, lazy commands).
MAX_IMPORTS_IN_FUNCTIONS = 12


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _imported(node: ast.AST, module: str, is_package: bool, known: set[str]) -> set[str]:
    """The project modules one import statement names (``from a import b`` may name ``a.b``)."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: resolve against the importing module's package
            package = module.split(".") if is_package else module.split(".")[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [f"{base}.{alias.name}" for alias in node.names] + [base]
    found = set()
    for name in names:
        while name and name not in known:  # `import a.b.c` imports a.b.c: its longest module
            name = name.rpartition(".")[0]
        if name:
            found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    """Every import between project modules, at top level, in functions or under TYPE_CHECKING."""
    mods = modules()
    known = set(mods)
    graph: dict[str, set[str]] = {}
    for name, path in mods.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= _imported(node, name, path.name == "__init__.py", known)
        graph[name] = edges - {name}
    return graph


def test_the_layer_contracts_of_pyproject_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    status = lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True)
    assert status == EXIT_STATUS_SUCCESS, "lint-imports: a contract is broken (see above)"


def test_there_is_no_import_cycle_counting_every_import():
    graph = import_graph()
    assert graph["simulator.model.apply"] >= {"simulator.model.clemency", "simulator.law"}
    try:
        list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as exc:
        pytest.fail(f"import cycle: {' -> '.join(exc.args[1])}")


def test_the_cycle_check_finds_a_cycle():
    graph = import_graph()
    graph["simulator.law.tables"] = graph["simulator.law.tables"] | {"simulator.model.apply"}
    with pytest.raises(graphlib.CycleError):
        list(graphlib.TopologicalSorter(graph).static_order())


def imports_in_functions() -> list[tuple[Path, int, str]]:
    """Import statements written inside functions: file, line, and the source line."""
    found = []
    for path in modules().values():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.Import | ast.ImportFrom):
                        found.append((path, inner.lineno, lines[inner.lineno - 1]))
    return found


def test_imports_in_functions_are_few_and_each_says_why():
    found = imports_in_functions()
    assert len(found) <= MAX_IMPORTS_IN_FUNCTIONS, found
    for path, line, source in found:
        above = path.read_text(encoding="utf-8").splitlines()[line - 2]
        assert "#" in source or above.strip().startswith(("#", "try:  #")), (
            f"{path}:{line}: an import inside a function needs a comment saying why"
        )


def test_help_lists_every_command_with_its_own_summary():
    for name, entry in COMMANDS.items():
        command = load_command(name)
        assert command.name == name
        first = inspect.cleandoc(command.help or "").split("\n\n")[0]
        assert " ".join(first.split()) == entry.summary, name


def _modules_loaded_by(code: str) -> set[str]:
    """Top-level modules a fresh interpreter has loaded after running ``code``."""
    probe = code + "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    env = {**os.environ, "SIMULATOR_DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_help_loads_click_only():
    loaded = _modules_loaded_by(
        "from click.testing import CliRunner\nfrom simulator.cli import main\n"
        "assert CliRunner().invoke(main, ['--help']).exit_code == 0"
    )
    assert "click" in loaded
    assert not loaded & {"numpy", "pandas", "scipy", "matplotlib", "pydantic", "rich"}


def test_a_run_loads_neither_pandas_nor_scipy_nor_matplotlib():
    loaded = _modules_loaded_by(
        "from click.testing import CliRunner\nfrom simulator.cli import main\n"
        f"r = CliRunner().invoke(main, ['run', {str(SCENARIO_2014)!r}, '--size', '0.02'])\n"
        "assert r.exit_code == 0, r.output"
    )
    assert "numpy" in loaded
    assert not loaded & {"pandas", "scipy", "matplotlib"}


#: Numbers with a legal or statistical meaning that belong in data/law, never in code.
CONVENTION_NUMBERS = {470, 365, 365.25, 365.2425, 30.436875, 30.4375, 47, 54}


def test_no_convention_is_written_as_a_number_in_the_code():
    found = []
    for path in modules().values():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            value = getattr(node, "value", None)
            if (
                isinstance(node, ast.Constant)
                and id(node) not in docstrings
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                and value in CONVENTION_NUMBERS
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {value!r}")
            if isinstance(value, str) and id(node) not in docstrings and "-10-01" in value:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {value!r}")
    assert not found, "conventions belong in data/law:\n" + "\n".join(found)


def test_every_package_and_leaf_is_in_a_layer_of_the_contract():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contract = next(c for c in config["tool"]["importlinter"]["contracts"] if c["type"] == "layers")
    layered = {name.strip() for layer in contract["layers"] for name in layer.split(":")}
    tops = {".".join(m.split(".")[:2]) for m in modules() if "." in m}
    assert tops == layered
