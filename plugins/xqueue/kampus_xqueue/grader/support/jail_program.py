"""The program the Python grader runs inside the sandbox (a fresh interpreter each time; never imported by Kampus).

It is the code of a sandbox run; its global ``task`` (JSON) says what to do, and it leaves its answer in the
global ``result``. Beside it in the sandbox's working folder: ``gradelib.py``, ``graderutil.py``, the course's
grader module and, for the ``submission`` mode, ``submission.py``. Modes, one sandbox run each (the learner's
code never shares an interpreter with the staff answer or with the comparison):

``answer``
    import the grader; its input checks on the learner's text (never run); the preprocessed staff answer and
    learner code; the staff answer run through the tests. ``result = {"input_errors": [...], "code": str,
    "run": <run>}``
``submission``
    the learner's (preprocessed) code run through the tests. ``result = {"run": <run>}``
``compare``
    the grader's ``compare_results`` on each (expected, actual) pair. ``result = {"compared": [[bool, str], ...]}``
    or ``{"error": str}``

``<run>`` has the shape of xqueue-watcher's ``run.py`` output: ``{"grader": {"status", "stdout", "exception"},
"submission": {...}, "results": [[short, long, output], ...], "exceptions": int}``.
"""

import builtins
import gettext
import random
import sys
import types

try:
    import gradelib
    import graderutil
except ImportError:  # imported outside the sandbox (a scan of the package's modules): nothing to run
    gradelib = graderutil = None

TOO_LONG = 5000
SUBMISSION = "submission"


def _(text):
    """The gettext function installed below (inside the sandbox)."""
    return builtins._(text) if callable(getattr(builtins, "_", None)) else text


if gradelib is not None:
    gettext.NullTranslations().install()
    _support = types.ModuleType("grader_support")
    _support.gradelib = gradelib
    _support.graderutil = graderutil
    sys.modules["grader_support"] = _support
    sys.modules["grader_support.gradelib"] = gradelib
    sys.modules["grader_support.graderutil"] = graderutil


def truncate(text):
    text = str(text)
    return text[:TOO_LONG] + "...OUTPUT TRUNCATED" if len(text) > TOO_LONG else text


def import_captured(name, our_code):
    """(module or None, {"status", "stdout", "exception"}) of importing ``name`` with its printing captured."""
    status = {"status": "notrun", "exception": ""}
    module = None
    with graderutil.captured_stdout() as out:
        try:
            module = __import__(name)
        except BaseException:
            status["status"] = "error"
            status["exception"] = truncate(graderutil.format_exception(
                main_file=None if our_code else name, hide_file=not our_code))
        else:
            status["status"] = "ok"
    status["stdout"] = truncate(out.getvalue())
    return module, status


def run_tests(grader_name, seed):
    """The staff answer's or the learner's code (module ``submission``) through the grader's tests."""
    output = {"grader": {"status": "notrun"}, "submission": {"status": "notrun"}, "results": [], "exceptions": 0}
    gradelib.rand = random.Random(seed)
    random.seed(seed + 1)
    grader_module, status = import_captured(grader_name, our_code=True)
    grader = getattr(grader_module, "grader", None) if grader_module else None
    if grader_module and grader is None:
        status = {"status": "error", "exception": "The grader module defines no 'grader'.", "stdout": ""}
    output["grader"].update(status)
    if grader is None:
        output["exceptions"] += 1
        return output
    submission, status = import_captured(SUBMISSION, our_code=False)
    output["submission"].update(status)
    if submission is None:
        output["exceptions"] += 1
        return output
    try:
        for test in grader.tests():
            with graderutil.captured_stdout() as out:
                trace = ""
                try:
                    test(submission)
                except gradelib.EndTest:
                    grader.caught_end_test()
                except BaseException:
                    trace = graderutil.format_exception(main_file=SUBMISSION, hide_file=True)
                    output["exceptions"] += 1
            text = out.getvalue()
            if text and not text.endswith("\n"):
                text += "\n"
            output["results"].append([str(test.short_description), str(test.detailed_description or ""),
                                      truncate(text + trace)])
    except BaseException:
        output["grader"]["status"] = "error"
        output["grader"]["exception"] = truncate(graderutil.format_exception())
        output["exceptions"] += 1
    if grader.uncaught_end_tests():
        output["submission"]["status"] = "caught"
        output["submission"]["exception"] = _("Your code interfered with our grader.  Don't use bare 'except' "
                                              "clauses.")
    return output


def answer_mode(task):
    grader_module, status = import_captured(task["grader_module"], our_code=True)
    grader = getattr(grader_module, "grader", None)
    if grader is None:
        return {"error": status.get("exception") or "The grader module defines no 'grader'."}
    errors = [str(error) for error in grader.input_errors(task["submission"]) if error]
    if errors:
        return {"input_errors": errors}
    answer = "# coding: utf8\n" + grader.preprocess(task["answer"])
    code = "# coding: utf8\n" + grader.preprocess(task["submission"])
    with open(SUBMISSION + ".py", "w", encoding="utf-8") as handle:
        handle.write(answer)
    return {"input_errors": [], "code": code, "run": run_tests(task["grader_module"], task["seed"])}


def compare_mode(task):
    grader_module, status = import_captured(task["grader_module"], our_code=True)
    grader = getattr(grader_module, "grader", None)
    if grader is None:
        return {"error": status.get("exception") or "The grader module defines no 'grader'."}
    tests = list(grader.tests())
    if len(tests) != len(task["pairs"]):
        return {"error": "The grader's tests changed between runs."}
    compared = []
    for test, (expected, actual) in zip(tests, task["pairs"], strict=True):
        extra = ""
        try:
            correct = bool(test.compare_results(expected, actual))
        except gradelib.EndTest as exc:
            extra = "\n*** {}: {} ***".format(_("ERROR"), exc) if exc.args and exc.args[0] else ""
            correct = False
        compared.append([correct, extra])
    return {"compared": compared}


def main(task):
    mode = task["mode"]
    if mode == "answer":
        return answer_mode(task)
    if mode == "submission":
        return {"run": run_tests(task["grader_module"], task["seed"])}
    if mode == "compare":
        return compare_mode(task)
    return {"error": "unknown mode"}


if "task" in globals():  # a sandbox run (its global ``task``), not an import
    result = main(task)  # noqa: F821 (the sandbox run's global)
    del task  # noqa: F821 (not sent back)
