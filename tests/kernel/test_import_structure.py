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


def test_every_kernel_module_imports_first():
    """An import cycle shows up as an ImportError when a module on the cycle is imported first."""
    names = []
    for path in _modules():
        parts = list(path.relative_to(KERNEL.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    result = subprocess.run([sys.executable, "-c", FRESH_IMPORTS, *names], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {}
    assert len(names) > 40


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
    names = []
    for path in _plugin_modules():
        parts = list(path.relative_to(path.parents[len(path.relative_to(PLUGINS).parts) - 2]).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names.append(".".join(parts))
    script = FRESH_IMPORTS.replace('key == "kampus" or key.startswith("kampus.")', 'key.startswith("kampus")')
    result = subprocess.run([sys.executable, "-c", script, *names], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {}
