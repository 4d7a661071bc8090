"""The ``bwrap`` driver passes the sandbox contract (skipped, saying why, when bubblewrap is missing)."""

from __future__ import annotations

import pytest
from kampus_codejail.bwrap import BwrapSandbox

from kampus.testing.contracts.sandbox import SandboxContract


class TestBwrapSandbox(SandboxContract):
    @pytest.fixture
    def sandbox(self, bwrap_sandbox: BwrapSandbox) -> BwrapSandbox:
        return bwrap_sandbox
