"""Instructor Python of a problem, always run through the sandbox, and ``$variable`` substitution.

Like upstream capa: the problem's ``<script type="loncapa/python">`` code runs once in the sandbox
with ``random`` seeded by the problem's seed (Python 2 compatible draws, see ``py2random``) and the
modules upstream pre-imports (numpy, math, scipy, calc, ...); its JSON-serialisable globals come back
as the problem's context. A check function (``cfn``) is graded by one more sandbox run of the script
plus the call, reading the result back as JSON.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any
from xml.sax.saxutils import unescape

from lxml import etree

from kampus.drivers.sandbox import NoSandbox, SandboxError
from kampus_problems.capa.errors import LoncapaProblemError, ResponseError

log = logging.getLogger(__name__)

_PY2RANDOM_SOURCE = (Path(__file__).parent / "py2random.py").read_text()

#: Names upstream capa makes available to every script without an import (lazily imported).
ASSUMED_IMPORTS = (
    ("numpy", "numpy"), ("math", "math"), ("scipy", "scipy"), ("calc", "calc"), ("eia", "eia"),
    ("chemcalc", "chem.chemcalc"), ("chemtools", "chem.chemtools"), ("miller", "chem.miller"),
    ("draganddrop", "verifiers.draganddrop"),
)

_PROLOG_TEMPLATE = '''\
def __kampus_prolog(seed):
    import importlib
    import sys
    import types

    rng_module = types.ModuleType("kampus_py2random")
    exec({source!r}, rng_module.__dict__)
    rng = rng_module.Py2Random(seed)
    rng.Random = rng_module.Py2Random
    rng.SystemRandom = rng_module._random_module.SystemRandom
    sys.modules["random"] = rng

    class LazyModule(types.ModuleType):
        """A module imported on first use (upstream's lazymod)."""

        def __init__(self, name, real_name):
            super().__init__(name)
            self.__dict__["_real_name"] = real_name

        def __getattr__(self, attr):
            module = importlib.import_module(self.__dict__["_real_name"])
            self.__dict__.update(module.__dict__)
            return getattr(module, attr)

    names = {{"random": rng}}
    for alias, real_name in {assumed!r}:
        names[alias] = LazyModule(alias, real_name)
    return names


globals().update(__kampus_prolog({seed!r}))
del __kampus_prolog
'''


def prolog(seed: int) -> str:
    """Code run before any instructor code: seeded Python-2 ``random`` and upstream's assumed imports."""
    return _PROLOG_TEMPLATE.format(source=_PY2RANDOM_SOURCE, assumed=ASSUMED_IMPORTS, seed=seed)


_FUTURE_IMPORT = re.compile(r"^from[ \t]+__future__[ \t]+import[^\n]*$", re.MULTILINE)


def _sandbox_or_refusal(sandbox: Any) -> Any:
    if sandbox is not None:
        return sandbox
    return NoSandbox(None)


def run_sandboxed(sandbox: Any, code: str, globals_dict: dict[str, Any], *, seed: int, slug: str = "",
                  extra_files: dict[str, bytes] | None = None) -> None:
    """Run instructor ``code`` in the sandbox; ``globals_dict`` comes back updated (JSON values only).

    Raises ``kampus.drivers.sandbox.SandboxError`` when the code fails or no sandbox is set up.
    """
    code = _FUTURE_IMPORT.sub("", code)  # no-ops in Python 3, and only legal at the top of the code
    _sandbox_or_refusal(sandbox).safe_exec(
        prolog(seed) + code, globals_dict, random_seed=seed, extra_files=extra_files or None, slug=slug,
    )


def script_code(tree: etree._Element) -> str:
    """The concatenated Python of the problem's ``<script>`` elements (JavaScript and Perl skipped)."""
    code = ""
    for script in tree.iter("script"):
        stype = script.get("type") or ""
        if "javascript" in stype or "perl" in stype:
            continue
        code += unescape(script.text or "", {"&apos;": "'", "&quot;": '"'})
    return code


def extract_context(tree: etree._Element, *, seed: int, anonymous_student_id: str, sandbox: Any,
                    slug: str = "", extra_files: dict[str, bytes] | None = None) -> dict[str, Any]:
    """Run the problem's scripts once (when there are any) and return their globals as the context."""
    context: dict[str, Any] = {"seed": seed, "anonymous_student_id": anonymous_student_id}
    code = script_code(tree)
    if code.strip():
        try:
            run_sandboxed(sandbox, code, context, seed=seed, slug=slug, extra_files=extra_files)
        except SandboxError as err:
            log.info("problem %s: script failed: %s", slug, getattr(err, "detail", ""))
            raise LoncapaProblemError(f"Error while executing script code: {err}") from err
    context["script_code"] = code
    context["python_path"] = []
    context["extra_files"] = None
    return context


def run_check_function(sandbox: Any, context: dict[str, Any], cfn: str, expect: Any, ans: Any,
                       kwargs: dict[str, Any], *, slug: str = "",
                       extra_files: dict[str, bytes] | None = None) -> Any:
    """Call the script's check function ``cfn(expect, ans, **kwargs)`` in ONE sandbox run; its JSON result."""
    extra_args = "".join(f", {name}={name}" for name in kwargs)
    code = context.get("script_code", "") + f"\ncfn_return = {cfn}(expect, ans{extra_args})\n"
    globals_dict: dict[str, Any] = {"expect": expect, "ans": ans, **kwargs}
    run_sandboxed(sandbox, code, globals_dict, seed=context["seed"], slug=slug, extra_files=extra_files)
    if "cfn_return" not in globals_dict:
        raise ResponseError(f"The check function {cfn} returned a value that is not JSON-serialisable.")
    return globals_dict["cfn_return"]


def contextualize_text(text: Any, context: dict[str, Any]) -> Any:
    """Replace ``$name`` by ``str(context[name])``, longest names first (upstream's contextualize_text)."""
    if not text:
        return text
    if isinstance(text, bytes):
        text = text.decode("utf-8")
    if "$" not in text:
        return text
    for key in sorted(context, key=len, reverse=True):
        marker = "$" + key
        if marker in text:
            text = text.replace(marker, str(context[key]))
    return text


_SKIP_SUBSTITUTION = {"script", "answer"}


def contextualize_tree(tree: etree._Element, context: dict[str, Any]) -> None:
    """Substitute ``$variables`` in the text and attributes of the tree (not inside scripts or answer code)."""
    if not any(isinstance(key, str) for key in context):
        return

    def walk(element: etree._Element) -> None:
        if not isinstance(element.tag, str):
            element.tail = contextualize_text(element.tail, context)
            return
        if element.tag not in _SKIP_SUBSTITUTION:
            element.text = contextualize_text(element.text, context)
            for name, value in element.attrib.items():
                if "$" in value:
                    element.set(name, contextualize_text(value, context))
            for child in element:
                walk(child)
        element.tail = contextualize_text(element.tail, context)

    walk(tree)


_STARTOUT = re.compile(r"startouttext\s*/")
_ENDOUT = re.compile(r"endouttext\s*/")


def convert_outtext(problem_text: str) -> str:
    """LON-CAPA's ``<startouttext/>...<endouttext/>`` become ``<text>...</text>``."""
    return _ENDOUT.sub("/text", _STARTOUT.sub("text", problem_text))
