"""The kernel's imports sit at the top of its modules, and no module needs another imported first."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import kampus

KERNEL = Path(kampus.__file__).resolve().parent

#: Imports inside functions that stay, each with its reason: (module path, imported module) -> why.
#: Keep one only for a real import cycle or a heavy optional dependency.
ALLOWED_LOCAL_IMPORTS = {
    ("testing/aws.py", "moto.server"): "moto is a test tool, installed by make test, not by the kernel",
}


def _modules() -> list[Path]:
    return [path for path in sorted(KERNEL.rglob("*.py"))
            if "versions" not in path.parts and "alembic" not in path.parts]


def _local_imports(path: Path) -> list[tuple[int, str]]:
    """Imports inside a function of ``path`` (``if TYPE_CHECKING:`` blocks are module level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.append((node.lineno, node.module))
            elif isinstance(node, ast.Import):
                found.extend((node.lineno, alias.name) for alias in node.names)
    return found


def test_kernel_imports_sit_at_the_top_of_modules():
    unexplained = []
    for path in _modules():
        relative = path.relative_to(KERNEL).as_posix()
        for line, module in _local_imports(path):
            if (relative, module) not in ALLOWED_LOCAL_IMPORTS:
                unexplained.append(f"{relative}:{line}: import {module}")
    assert unexplained == []


def test_the_scan_finds_an_import_in_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("import os\n\ndef f():\n    from kampus.app import current_kampus\n    import json\n")
    assert _local_imports(module) == [(4, "kampus.app"), (5, "json")]


#: Imports each named module first, with every ``kampus`` module forgotten before each one (third-party
#: modules stay loaded: a cycle inside the kernel does not depend on them), and prints the failures.
FRESH_IMPORTS = """
import importlib, json, sys
failures = {}
for name in sys.argv[1:]:
    for loaded in [key for key in sys.modules if key == "kampus" or key.startswith("kampus.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failures[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failures))
"""


def _dotted(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_time_targets(path: Path, name: str) -> set[str]:
    """The modules that importing ``name`` (at ``path``) imports at once: every import outside functions and
    ``if TYPE_CHECKING:`` blocks, with the packages above each target (Python imports those first)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            pending.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)  # a submodule, when it is one
        pending.extend(ast.iter_child_nodes(node))
    with_parents = set()
    for target in found:
        parts = target.split(".")
        with_parents.update(".".join(parts[:end]) for end in range(1, len(parts) + 1))
    return with_parents - {name}


def _modules_on_import_cycles(modules: dict[str, Path]) -> set[str]:
    """The modules that sit on a cycle of import-time imports among ``modules`` (name -> path): only those
    can fail when imported first, so only those need the (slow) fresh import."""
    edges = {name: _import_time_targets(path, name) & modules.keys() for name, path in modules.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_cycles: set[str] = set()
    for start in sorted(modules):  # Tarjan's strongly connected components, iteratively
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    on_cycles.update(component)
    return on_cycles


def test_the_cycle_scan_finds_a_cycle_and_ignores_type_checking(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.b import thing\n\nvalue = 1\n")
    (package / "b.py").write_text("from . import a\n\nthing = 2\n")
    (package / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.d import x\n")
    (package / "d.py").write_text("from pkg import c\n\nx = 1\n\ndef f():\n    from pkg import b\n")
    modules = {_dotted(path, tmp_path): path for path in package.glob("*.py")}
    assert _modules_on_import_cycles(modules) == {"pkg.a", "pkg.b"}


#: Imports each named module once, in one process (a module that cannot be imported at all fails here, whether
#: or not it sits on a cycle), and prints the failures.
ALL_IMPORTS = """
import importlib, json, sys
failures = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failures[name] = f"{type(exc).__name__}: {exc}"
print(json.dumps(failures))
"""


def _fresh_import_failures(names: list[str], script: str) -> dict[str, str]:
    if not names:
        return {}
    result = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _import_failures(modules: dict[str, Path], fresh_script: str) -> dict[str, str]:
    """Every module imported once, and each module on an import cycle imported first in a fresh state."""
    return {**_fresh_import_failures(sorted(modules), ALL_IMPORTS),
            **_fresh_import_failures(sorted(_modules_on_import_cycles(modules)), fresh_script)}


def test_every_kernel_module_imports_first():
    """An import cycle shows up as an ImportError when a module on the cycle is imported first."""
    modules = {_dotted(path, KERNEL.parent): path for path in _modules()}
    assert len(modules) > 40
    assert _import_failures(modules, FRESH_IMPORTS) == {}


PLUGINS = Path(__file__).resolve().parents[2] / "plugins"

#: Imports inside functions of first-party plugins that stay: (path under plugins/, module) -> why.
PLUGIN_LOCAL_IMPORTS = {
    ("codejail/kampus_codejail/runner.py", "random"): "runs inside the jail: loads what the run needs, when it does",
    ("codejail/kampus_codejail/runner.py", "importlib.machinery"): "runs inside the jail (numpy seeding on import)",
    ("codejail/kampus_codejail/runner.py", "traceback"): "runs inside the jail, only when the code failed",
    ("content/kampus_content/runtime/django_shim.py", "django"): "Django only for third-party blocks that need it",
    ("content/kampus_content/runtime/django_shim.py", "django.conf"): "Django only for third-party blocks",
    ("content/kampus_content/runtime/django_shim.py", "django.utils"): "Django only for third-party blocks",
    ("problems/kampus_problems/capa/responses/symbolic.py", "symmath"): "heavy (sympy), for symbolic problems only",
}


def _plugin_modules() -> list[Path]:
    return [path for path in sorted(PLUGINS.glob("*/kampus_*/**/*.py"))
            if not {"migrations", "tests", "testing"} & set(path.relative_to(PLUGINS).parts)]


def test_plugin_imports_sit_at_the_top_of_modules():
    unexplained = []
    for path in _plugin_modules():
        relative = path.relative_to(PLUGINS).as_posix()
        for line, module in _local_imports(path):
            if (relative, module) not in PLUGIN_LOCAL_IMPORTS:
                unexplained.append(f"plugins/{relative}:{line}: import {module}")
    assert unexplained == []
    assert len(_plugin_modules()) > 80


def test_every_plugin_module_imports_first():
    """No import cycle at run time in the first-party plugins either (each module imported first)."""
    modules = {_dotted(path, PLUGINS / path.relative_to(PLUGINS).parts[0]): path for path in _plugin_modules()}
    script = FRESH_IMPORTS.replace('key == "kampus" or key.startswith("kampus.")', 'key.startswith("kampus")')
    assert _import_failures(modules, script) == {}
