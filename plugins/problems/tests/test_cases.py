"""The CAPA corpus: real Open edX problems with the grading upstream capa gives; ours must agree.

``cases.jsonl`` goes through the command line (``kampus check-problem --cases``, one process); the
other files are graded in-process through the same code path. Each file prints ``N passed, N failed``.
Compared, per the corpus README: the correctness of every input and its points.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kampus_problems.capa.cli import grade_cases
from kampus_problems.capa.correctmap import CorrectMap

from kampus.drivers.sandbox import get_sandbox


def repo_root() -> Path:
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / ".git").exists() or (parent / "kernel" / "pyproject.toml").exists():
            return parent
    return here.parents[3]


CASES_DIR = repo_root().parent / "shared" / "corpus" / "capa-cases"


@pytest.fixture(scope="session")
def cases_dir() -> Path:
    if not (CASES_DIR / "cases.jsonl").exists():
        pytest.skip(f"the shared CAPA corpus is absent ({CASES_DIR}): corpus tests skipped")
    return CASES_DIR


def load_cases(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def bwrap_missing_reason() -> str | None:
    """Why instructor Python cannot run in a bwrap jail here, or None when it can."""
    if not shutil.which("bwrap"):
        return "bubblewrap (bwrap) is not installed: cases that need Python are skipped"
    try:
        import kampus_codejail  # noqa: F401
    except ImportError:
        return "kampus-codejail is not installed: cases that need Python are skipped"
    return None



@pytest.fixture
def sandboxed_app(make_app: Any) -> Any:
    """An app with the problems plugin and the bwrap sandbox driver (no sandbox without bwrap)."""
    if bwrap_missing_reason():
        return make_app(plugins=["problems"])
    return make_app(plugins=["problems", "codejail"], settings={"sandbox": "bwrap"})


def compare(case: dict[str, Any], report: dict[str, Any]) -> list[str]:
    """The differences between upstream's grading of a case and ours (empty when they agree)."""
    cmap = CorrectMap()
    cmap.set_dict(report.get("correct_map") or {})
    problems = []
    for aid, expected in case["expected_by_input"].items():
        got = cmap.get_correctness(aid)
        if got != expected:
            problems.append(f"{aid}: {got} instead of {expected}")
    for aid, expected in case.get("expected_npoints", {}).items():
        got = cmap.get_npoints(aid)
        if expected is not None and abs(float(got) - float(expected)) > 1e-9:
            problems.append(f"{aid}: {got} points instead of {expected}")
    if problems and report.get("error"):
        problems.append(f"error: {report['error']}")
    return problems


def tally(name: str, cases: list[dict[str, Any]], reports: dict[str, dict[str, Any]]) -> list[str]:
    failures = []
    for case in cases:
        report = reports.get(case["id"])
        differences = ["no result"] if report is None else compare(case, report)
        if differences:
            failures.append(f"{case['id']}: {'; '.join(differences)}")
    print(f"{name}: {len(cases) - len(failures)} passed, {len(failures)} failed")
    for failure in failures:
        print("  FAILED", failure)
    return failures


def runnable(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    reason = bwrap_missing_reason()
    if reason is None:
        return cases
    print(f"SKIPPED {sum(c['needs_python'] for c in cases)} cases: {reason}")
    return [c for c in cases if not c["needs_python"]]


def test_cases_jsonl_through_the_command_line(cases_dir: Path, tmp_path: Path) -> None:
    cases = runnable(load_cases(cases_dir / "cases.jsonl"))
    cases_file = tmp_path / "cases.jsonl"
    cases_file.write_text("".join(json.dumps(c) + "\n" for c in cases), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_")}
    env.update(KAMPUS_HOME=str(tmp_path / "site"), KAMPUS_SECRET_KEY="test-secret")
    if bwrap_missing_reason() is None:
        env.update(KAMPUS_PLUGINS="problems,codejail", KAMPUS_SANDBOX="bwrap")
    else:
        env.update(KAMPUS_PLUGINS="problems")
    kampus = Path(sys.executable).with_name("kampus")
    done = subprocess.run([str(kampus), "check-problem", "--cases", str(cases_file)], env=env, capture_output=True,
                          text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    reports = {r["id"]: r for r in map(json.loads, done.stdout.splitlines())}
    assert not tally("cases.jsonl", cases, reports)


@pytest.mark.parametrize("file_name", [
    "cases.extra.jsonl", "demo_reference_graded.jsonl", "testcourse_reference_graded.jsonl",
])
def test_corpus_file_in_process(cases_dir: Path, sandboxed_app: Any, file_name: str) -> None:
    cases = runnable(load_cases(cases_dir / file_name))
    with sandboxed_app.app_context():
        lines = [json.dumps(case) for case in cases]
        reports = {r["id"]: r for r in grade_cases(lines, get_sandbox())}
    assert not tally(file_name, cases, reports)
