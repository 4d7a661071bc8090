"""CAPA grading cost, two figures in one run.

1. ``numerical_check_vs_bare_evaluation``: checks per second of a numerical problem through the
   whole engine (parse the problem XML, build its responses, grade, score: what a submission costs)
   divided by bare evaluations per second of the same answer (openedx-calc's ``evaluator`` plus the
   tolerance comparison). Target: at least 0.1 (the engine costs at most 10 bare evaluations).
2. ``customresponse_check_vs_bare_python``: the median wall time of grading a ``cfn``
   customresponse (ONE sandbox run: the problem's script plus the check call, in the bwrap jail)
   divided by the median time of starting ``python -c pass`` with the interpreter the jail runs.
   Runs alternate so both see the same noise. Target: at most 2.

    python bench/problems.py [--quick]

Prints JSON lines {"bench", "figure", "value", "target", "met", "detail"}.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import tempfile
import time

NUMERICAL_TARGET = 0.1
CUSTOM_TARGET = 2.0

NUMERICAL_XML = """<problem><p>Speed of the train?</p>
<numericalresponse answer="4500"><responseparam type="tolerance" default="5%"/>
<formulaequationinput label="Speed"/></numericalresponse></problem>"""

CUSTOM_XML = """<problem><script type="loncapa/python">
def check(expect, ans):
    return {'ok': ans.strip() == expect, 'msg': 'checked'}
</script>
<customresponse cfn="check" expect="42"><textline/></customresponse></problem>"""


def per_second(action, seconds: float) -> tuple[float, int]:
    count, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        action()
        count += 1
    return count / (time.perf_counter() - started), count


def numerical_figure(seconds: float) -> dict:
    from calc import evaluator
    from kampus_problems.capa.problem import LoncapaProblem
    from kampus_problems.capa.tolerance import compare_with_tolerance

    def bare() -> None:
        assert compare_with_tolerance(evaluator({}, {}, "4600"), 4500, "5%")

    def check() -> None:
        problem = LoncapaProblem(NUMERICAL_XML, seed=1)
        problem.grade_answers({"1_2_1": "4600"})
        assert problem.get_score() == {"score": 1, "total": 1}

    for _ in range(20):
        bare()
        check()
    bare_rate, bare_n = per_second(bare, seconds)
    check_rate, check_n = per_second(check, seconds)
    ratio = check_rate / bare_rate
    return {"bench": "problems", "figure": "numerical_check_vs_bare_evaluation", "value": round(ratio, 3),
            "target": f">= {NUMERICAL_TARGET:g}", "met": ratio >= NUMERICAL_TARGET,
            "detail": {"checks_per_s": round(check_rate, 1), "bare_evaluations_per_s": round(bare_rate, 1),
                       "checks": check_n, "bare_evaluations": bare_n}}


def custom_figure(runs: int) -> dict:
    figure = {"bench": "problems", "figure": "customresponse_check_vs_bare_python", "target": f"<= {CUSTOM_TARGET:g}"}
    if not shutil.which("bwrap"):
        return {**figure, "value": None, "met": False,
                "detail": {"error": "bubblewrap is not installed (apt-get install bubblewrap)"}}
    from kampus_codejail.bwrap import BwrapSandbox
    from kampus_problems.capa.problem import LoncapaProblem

    from kampus.testing.contracts import driver_settings

    with tempfile.TemporaryDirectory(prefix="kampus-bench-problems-") as home:
        sandbox = BwrapSandbox(driver_settings(home, plugins=["codejail"], sandbox="bwrap"))
        python = sandbox.interpreter()["executable"]
        bare_cmd = [python, "-c", "pass"]
        problem = LoncapaProblem(CUSTOM_XML, seed=1, sandbox=sandbox)
        runs_counted = {"n": 0}
        original = sandbox.safe_exec

        def counting_safe_exec(*args, **kwargs):
            runs_counted["n"] += 1
            return original(*args, **kwargs)

        sandbox.safe_exec = counting_safe_exec
        for _ in range(3):
            problem.grade_answers({"1_2_1": "42"})
            subprocess.run(bare_cmd, check=True)
        checks, bare = [], []
        runs_counted["n"] = 0
        for _ in range(runs):
            started = time.perf_counter()
            cmap = problem.grade_answers({"1_2_1": "42"})
            checks.append(time.perf_counter() - started)
            assert cmap.get_correctness("1_2_1") == "correct"
            started = time.perf_counter()
            subprocess.run(bare_cmd, check=True)
            bare.append(time.perf_counter() - started)
    ratio = statistics.median(checks) / statistics.median(bare)
    return {**figure, "value": round(ratio, 3), "met": ratio <= CUSTOM_TARGET,
            "detail": {"check_median_ms": round(statistics.median(checks) * 1000, 2),
                       "bare_python_median_ms": round(statistics.median(bare) * 1000, 2),
                       "sandbox_runs_per_check": runs_counted["n"] / runs, "runs": runs, "interpreter": python}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs (smoke test)")
    args = parser.parse_args()
    print(json.dumps(numerical_figure(0.5 if args.quick else 3.0)), flush=True)
    print(json.dumps(custom_figure(10 if args.quick else 60)), flush=True)


if __name__ == "__main__":
    main()
