"""Sandbox cost: one jailed ``safe_exec`` against starting a bare interpreter, in the same run.

Kampus figure: the median wall time of ``BwrapSandbox.safe_exec("x = 1", {})``
(setpriv when root, bubblewrap jail, limits, JSON in and out, result checks).
Baseline: the median wall time of ``subprocess.run([python, "-c", "pass"])`` with
the same interpreter the jail runs (named in ``detail``). Runs alternate between
the two so both see the same machine noise. Target: the ratio at most 2. The
full customresponse check time is the problems bench's figure.

    python bench/sandbox.py [--quick] [--runs N]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import tempfile
import time

TARGET = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (smoke test)")
    parser.add_argument("--runs", type=int, default=None, help="runs of each kind (default 100, quick 15)")
    args = parser.parse_args()
    runs = args.runs or (15 if args.quick else 100)

    figure = {"bench": "sandbox", "figure": "safe_exec_vs_bare_python", "target": f"<= {TARGET:g}"}
    if not shutil.which("bwrap"):
        print(json.dumps({**figure, "value": None, "met": False,
                          "detail": {"error": "bubblewrap is not installed (apt-get install bubblewrap)"}}))
        return

    from kampus_codejail.bwrap import BwrapSandbox

    from kampus.testing.contracts import driver_settings

    with tempfile.TemporaryDirectory(prefix="kampus-bench-sandbox-") as home:
        sandbox = BwrapSandbox(driver_settings(home, plugins=["codejail"], sandbox="bwrap"))
        python = sandbox.interpreter()["executable"]
        bare_cmd = [python, "-c", "pass"]
        # warm-up: the probe of the interpreter, page cache
        for _ in range(3):
            sandbox.safe_exec("x = 1", {})
            subprocess.run(bare_cmd, check=True)
        jailed, bare = [], []
        for _ in range(runs):
            started = time.perf_counter()
            values: dict = {}
            sandbox.safe_exec("x = 1", values)
            jailed.append(time.perf_counter() - started)
            assert values == {"x": 1}, values
            started = time.perf_counter()
            subprocess.run(bare_cmd, check=True)
            bare.append(time.perf_counter() - started)

    jailed_ms, bare_ms = statistics.median(jailed) * 1000, statistics.median(bare) * 1000
    ratio = round(jailed_ms / bare_ms, 2)
    print(json.dumps({
        **figure,
        "value": ratio,
        "met": ratio <= TARGET,
        "detail": {
            "safe_exec_ms": round(jailed_ms, 2),
            "bare_python_ms": round(bare_ms, 2),
            "safe_exec_p90_ms": round(sorted(jailed)[int(len(jailed) * 0.9) - 1] * 1000, 2),
            "bare_python_p90_ms": round(sorted(bare)[int(len(bare) * 0.9) - 1] * 1000, 2),
            "python": python,
            "baseline": " ".join(bare_cmd[:1] + ["-c", "pass"]),
            "setpriv": os.geteuid() == 0,
            "runs": runs,
            "quick": args.quick,
            "cpus": os.cpu_count(),
        },
    }))


if __name__ == "__main__":
    main()
