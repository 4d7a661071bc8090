"""The contract every ``kampus.sandbox`` driver passes.

Subclass :class:`SandboxContract` and provide a ``sandbox`` fixture (the driver,
built with settings as a site would have them)::

    class TestMySandbox(SandboxContract):
        @pytest.fixture
        def sandbox(self, tmp_path):
            return MySandbox(driver_settings(tmp_path, plugins=["my_plugin"]))

The checks follow Open edX CodeJail's ``safe_exec``: globals cross as JSON (the
ones that are not JSON-serialisable are dropped), ``random`` is seeded, numpy
and sympy are importable (skipped when not installed here), an exception of the
code becomes :class:`~kampus.drivers.sandbox.SandboxError` whose learner message
holds no traceback, extra files are readable in the working folder, and every
run is a fresh process. Escape and limit tests are the driver's own (they
depend on how it isolates).
"""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest

from kampus.drivers.sandbox import Sandbox, SandboxError


class SandboxContract:
    """Behaviour shared by every sandbox driver. Needs a ``sandbox`` fixture."""

    @pytest.fixture
    def sandbox(self) -> Sandbox:
        raise NotImplementedError("provide a `sandbox` fixture: the driver under test")

    def run(self, sandbox: Sandbox, code: str, globals_dict: dict[str, Any] | None = None, **kwargs: Any) -> dict:
        values = dict(globals_dict or {})
        sandbox.safe_exec(code, values, **kwargs)
        return values

    def test_is_a_sandbox(self, sandbox: Sandbox) -> None:
        assert isinstance(sandbox, Sandbox)

    def test_globals_in_and_out(self, sandbox: Sandbox) -> None:
        values = {"a": 6, "names": ["ada", "grace"], "nested": {"k": [1.5, None, True]}}
        sandbox.safe_exec("b = a * 7\nnames.append('alan')\ncount = len(names)\nfirst = nested['k'][0]", values)
        assert values["b"] == 42
        assert values["count"] == 3
        assert values["names"] == ["ada", "grace", "alan"]
        assert values["first"] == 1.5
        assert values["a"] == 6

    def test_tuples_become_lists_and_bytes_text(self, sandbox: Sandbox) -> None:
        values = self.run(sandbox, "t = (1, 2)\nb = 'é'.encode('utf-8')")
        assert values["t"] == [1, 2]
        assert values["b"] == "é"

    def test_non_json_globals_dropped(self, sandbox: Sandbox) -> None:
        values = self.run(
            sandbox,
            "import math\ndef f(x):\n    return x\nclass C: pass\nobj = C()\ns = {1, 2}\nbad = [object()]\n"
            "ok = math.sqrt(16)\nnan = float('nan')",
        )
        assert values["ok"] == 4.0
        for dropped in ("math", "f", "C", "obj", "s", "bad", "__builtins__"):
            assert dropped not in values

    def test_non_json_input_globals_dropped(self, sandbox: Sandbox) -> None:
        values = {"keep": 1, "drop": object()}
        sandbox.safe_exec("seen = sorted(k for k in globals() if not k.startswith('__'))", values)
        assert "drop" not in values["seen"]
        assert "keep" in values["seen"]

    def test_seeded_random_reproducible(self, sandbox: Sandbox) -> None:
        code = "import random\nxs = [random.random() for _ in range(3)]\nn = random.randint(1, 10**9)"
        first = self.run(sandbox, code, random_seed=42)
        again = self.run(sandbox, code, random_seed=42)
        other = self.run(sandbox, code, random_seed=43)
        assert first["xs"] == again["xs"] and first["n"] == again["n"]
        assert first["xs"] != other["xs"]

    def test_random_is_a_global_when_seeded(self, sandbox: Sandbox) -> None:
        first = self.run(sandbox, "x = random.randint(1, 10**9)", random_seed=7)
        again = self.run(sandbox, "x = random.randint(1, 10**9)", random_seed=7)
        assert first["x"] == again["x"]

    def test_numpy_usable_and_seeded(self, sandbox: Sandbox) -> None:
        if importlib.util.find_spec("numpy") is None:
            pytest.skip("numpy is not installed")
        code = (
            "import numpy as np\nm = np.linalg.inv(np.array([[2.0, 0], [0, 4.0]])).tolist()\n"
            "r = float(np.random.rand())"
        )
        first = self.run(sandbox, code, random_seed=5)
        again = self.run(sandbox, code, random_seed=5)
        other = self.run(sandbox, code, random_seed=6)
        assert first["m"] == [[0.5, 0.0], [0.0, 0.25]]
        assert first["r"] == again["r"] != other["r"]

    def test_sympy_usable(self, sandbox: Sandbox) -> None:
        if importlib.util.find_spec("sympy") is None:
            pytest.skip("sympy is not installed")
        values = self.run(sandbox, "import sympy\nx = sympy.Symbol('x')\ne = str(sympy.expand((x + 1) ** 2))")
        assert values["e"] == "x**2 + 2*x + 1"

    def test_exception_becomes_sandbox_error(self, sandbox: Sandbox) -> None:
        with pytest.raises(SandboxError) as caught:
            sandbox.safe_exec("def grade():\n    raise ValueError('secret answer is 42')\ngrade()", {})
        error = caught.value
        assert "Traceback" not in error.learner_message
        assert "secret answer" not in error.learner_message
        assert "ValueError" in error.detail and "secret answer is 42" in error.detail
        assert "Traceback" in error.detail

    def test_syntax_error_becomes_sandbox_error(self, sandbox: Sandbox) -> None:
        with pytest.raises(SandboxError) as caught:
            sandbox.safe_exec("def (:", {})
        assert "SyntaxError" in caught.value.detail
        assert "SyntaxError" not in caught.value.learner_message

    def test_extra_files_readable(self, sandbox: Sandbox) -> None:
        values = self.run(
            sandbox,
            "with open('data.txt') as f:\n    text = f.read()\nimport helper\nanswer = helper.ANSWER",
            extra_files={"data.txt": b"hello\n", "helper.py": b"ANSWER = 41 + 1\n"},
        )
        assert values["text"] == "hello\n"
        assert values["answer"] == 42

    def test_fresh_process_each_run(self, sandbox: Sandbox) -> None:
        self.run(sandbox, "import builtins, os\nbuiltins.LEAK = 1\nopen('/tmp/leak.txt', 'w').write('x')\n"
                          "pid_file = os.getpid()")
        values = self.run(
            sandbox,
            "import builtins, os\nhas_leak = hasattr(builtins, 'LEAK')\nhas_file = os.path.exists('/tmp/leak.txt')",
        )
        assert values["has_leak"] is False
        assert values["has_file"] is False
        assert "pid_file" not in values

    def test_patched_json_cannot_forge_next_run(self, sandbox: Sandbox) -> None:
        self.run(sandbox, "import json\njson.dumps = lambda *a, **k: '{\"ok\": true, \"globals\": {\"x\": 666}}'")
        assert self.run(sandbox, "x = 1")["x"] == 1
