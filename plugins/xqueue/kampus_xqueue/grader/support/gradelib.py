"""The course-side grading library, API-compatible with xqueue-watcher's ``gradelib``.

This file is copied into the sandbox next to a course's ``grader.py``, which
imports it as ``import gradelib`` or ``from grader_support import gradelib``
(both work). A grader module defines ``grader = gradelib.Grader()`` and adds
tests; a test is a callable taking the learner's (or the staff answer's) module
and printing text; the daemon compares what the staff answer printed with what
the learner's code printed, test by test.

Kampus's own implementation of the same names and behaviour (written for
Python 3); ``_`` is the gettext function the sandbox program installs.
"""

import builtins
import contextlib
import inspect
import io
import random
import re
import sys
import tokenize

#: The random generator tests should use; the sandbox program seeds it (same seed for answer and learner).
rand = random.Random(1)


def _(text):
    """The installed gettext function (the sandbox program installs one into builtins)."""
    translate = getattr(builtins, "_", None)
    return translate(text) if callable(translate) else text


class EndTest(Exception):
    """Raised by a test (or a ``compare_results``) to stop that test with a message."""

    def __init__(self, message=None):
        Exception.__init__(self, message)


class Test:
    """A test function with its descriptions and, optionally, its own comparison.

    ``test_fn(submission_module)`` prints text; the staff answer's text is compared to the learner's.
    """

    def __init__(self, test_fn, short_description, detailed_description="", compare=None):
        self._test_fn = test_fn
        self.short_description = short_description
        self.detailed_description = detailed_description
        if compare:
            self.compare_results = compare

    def __call__(self, *args):
        return self._test_fn(*args)

    def compare_results(self, expected, actual):
        """Whether the learner's output ``actual`` passes against the staff output ``expected``."""
        return expected == actual


def fix_line_endings(code):
    """Preprocessor: drop carriage returns."""
    return code.replace("\r", "")


def wrap_in_string(code):
    """Preprocessor: the code becomes ``submission_code = '<code>'`` (see :func:`exec_wrapped_code`)."""
    return "submission_code = " + repr(code)


class Grader:
    """The tests, input checks and preprocessors of one exercise."""

    def __init__(self):
        self._tests = []
        self._input_checks = []
        self._preprocessors = [fix_line_endings]
        self._end_tests = 0

    def input_errors(self, submission_str):
        """Complaints about the submission text (the checks never run it); ``[]`` when none."""
        return [error for error in (check(submission_str) for check in self._input_checks) if error]

    def preprocess(self, submission_str):
        """The code to run: the submission passed through every preprocessor in order."""
        code = submission_str
        for preprocessor in self._preprocessors:
            code = preprocessor(code)
        return code

    def tests(self):
        return self._tests

    def end_test(self, message):
        """Stop the current test, printing ``message`` for the learner."""
        self._end_tests += 1
        print(_("*** Error: {0}").format(message))
        raise EndTest()

    def caught_end_test(self):
        self._end_tests -= 1

    def uncaught_end_tests(self):
        """EndTest exceptions raised by :meth:`end_test` and not caught by the runner (learner code ate them)."""
        return self._end_tests

    def add_preprocessor(self, fn):
        self._preprocessors.append(fn)

    def add_test(self, test):
        self._tests.append(test)

    def add_tests_from_class(self, test_class):
        """One test per ``test_*`` method of an instance of ``test_class`` (its docstring: the long description;
        its ``compare_results`` method, when it has one, compares)."""
        instance = test_class()
        compare = getattr(instance, "compare_results", None)
        for name, method in inspect.getmembers(instance, inspect.ismethod):
            if name.startswith("test_"):
                short = "Test: " + name[len("test_"):].replace("_", " ")
                self.add_test(Test(method, short, method.__doc__, compare))

    def add_input_check(self, check):
        self._input_checks.append(check)


# -- input checks: functions of the submission text returning a complaint or None -------------------

def required_substring(string, error_msg=None):
    def check(code):
        if string not in code:
            return error_msg or _("Your code should contain '{0}'.").format(string)
        return None
    return check


def prohibited_substring(string, error_msg=None):
    def check(code):
        if string in code:
            return error_msg or _("Your code should not contain '{0}'.").format(string)
        return None
    return check


def _tokens(code):
    """Tokens of ``code`` (comments and strings included, as the tokenizer gives them)."""
    return tokenize.generate_tokens(io.StringIO(code.rstrip() + "\n").readline)


def _count_tokens(code, string):
    """How often ``string`` occurs as a token outside comments and strings (0 for code that does not tokenize)."""
    count = 0
    try:
        for kind, text, _start, _end, _line in _tokens(code):
            if kind not in (tokenize.COMMENT, tokenize.STRING) and text == string:
                count += 1
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return count


def prohibited_keyword(string, error_msg=None):
    def check(code):
        if _count_tokens(code, string):
            return error_msg or _('Your code cannot make use of the "{0}" keyword.').format(string)
        return None
    return check


def required_keyword(string, error_msg=None):
    def check(code):
        if not _count_tokens(code, string):
            return error_msg or _('Your code must make use of the "{0}" keyword.').format(string)
        return None
    return check


prohibited_operator = prohibited_keyword
required_operator = required_keyword


def input_check_or(error_msg, *checks):
    """Passes when any of ``checks`` passes; else ``error_msg``."""
    def check(code):
        if any(one(code) is None for one in checks):
            return None
        return error_msg
    return check


def one_of_required_keywords(strings, error_msg=None):
    def check(code):
        if any(_count_tokens(code, string) for string in strings):
            return None
        return error_msg or _("Your code must make use of at least one of the following keywords: {0}.").format(
            strings)
    return check


def _check_occurs(text, occurs, at_least=None, at_most=None, exactly=None, error_msg=None):
    if exactly is not None and occurs != exactly:
        return error_msg or _("Your code has {0!r} {1} times, must be exactly {2}.").format(text, occurs, exactly)
    if at_least is not None and occurs < at_least:
        return error_msg or _("Your code has {0!r} {1} times, must be at least {2}.").format(text, occurs, at_least)
    if at_most is not None and occurs > at_most:
        return error_msg or _("Your code has {0!r} {1} times, can't be more than {2}.").format(text, occurs, at_most)
    return None


def substring_occurs(string, at_least=None, at_most=None, exactly=None, error_msg=None, ignore_spacing=False):
    def check(code):
        if ignore_spacing:
            occurs = code.replace(" ", "").count(string.replace(" ", ""))
        else:
            occurs = code.count(string)
        return _check_occurs(string, occurs, at_least, at_most, exactly, error_msg)
    return check


def substring_occurs_if_condstring(string, condstring, at_least=None, at_most=None, exactly=None, error_msg=None):
    def check(code):
        if condstring not in code:
            return None
        return _check_occurs(string, code.count(string), at_least, at_most, exactly, error_msg)
    return check


def token_occurs(string, at_least=None, at_most=None, exactly=None, error_msg=None):
    def check(code):
        return _check_occurs(string, _count_tokens(code, string), at_least, at_most, exactly, error_msg)
    return check


def count_non_comment_lines(at_least=None, at_most=None, exactly=None, error_msg=None):
    """Counts lines holding a token that is not a comment, a string or white space."""
    def check(code):
        lines = set()
        try:
            for kind, text, (row, _col), _end, _line in _tokens(code):
                if kind in (tokenize.COMMENT, tokenize.STRING) or not text.strip():
                    continue
                lines.add(row)
        except (tokenize.TokenError, SyntaxError, IndentationError):
            pass
        return _check_occurs(None, len(lines), at_least, at_most, exactly, error_msg)
    return check


def must_define_function(fn_name, error_msg=None):
    def check(code):
        if not re.search(rf"\bdef\s+{re.escape(fn_name)}\b", code):
            return error_msg or _("Your code must define a function named '{0}'.").format(fn_name)
        return None
    return check


def prohibited_function_definition(fn_name, error_msg=None):
    def check(code):
        if re.search(rf"\bdef\s+{re.escape(fn_name)}\b", code):
            return error_msg or _("Your code should NOT define a function named '{0}'.").format(fn_name)
        return None
    return check


def must_define_class(class_name, error_msg=None):
    def check(code):
        if "class " + class_name not in code:
            return error_msg or _(
                "Your code must define a class named '{0}'. Be sure you only have one space between the keyword "
                "'class' and the class name.").format(class_name)
        return None
    return check


def _class_defines_method(code, class_name, method_name):
    """Whether a method ``method_name`` appears in the body of class ``class_name`` (a line-based scan)."""
    inside = False
    for raw in code.split("\n"):
        line = raw.split("#", 1)[0]
        if not line.strip():
            continue
        if "class " + class_name in line:
            inside = True
        elif inside and re.search(rf"\bdef\s+{re.escape(method_name)}\b", line):
            return True
        elif inside and "class " in line and class_name not in line:
            inside = False
    return False


def prohibited_class_method(class_name, method_name, error_msg=None):
    def check(code):
        if _class_defines_method(code, class_name, method_name):
            return error_msg or _("The class named '{0}' should not define a method named {1}.").format(
                class_name, method_name)
        return None
    return check


def required_class_method(class_name, method_name, error_msg=None):
    def check(code):
        if not _class_defines_method(code, class_name, method_name):
            return error_msg or _("The class named '{0}' should define a method named {1}.").format(
                class_name, method_name)
        return None
    return check


# -- test functions ------------------------------------------------------------------------------------

@contextlib.contextmanager
def capture_stdout():
    saved = sys.stdout
    sys.stdout = buffer = io.StringIO()
    try:
        yield buffer
    finally:
        sys.stdout = saved


def exec_wrapped_code(environment=None, post_process=None):
    """A test that runs the wrapped submission (see :func:`wrap_in_string`) and prints its output,
    passed through ``post_process`` when given."""
    def test_fn(submission_module):
        with capture_stdout() as out:
            exec(submission_module.submission_code, environment if environment is not None else {})
        text = out.getvalue()
        print(post_process(text) if post_process else text)
    return test_fn


def exec_code_and_inspect_values(environment=None, vars_to_inspect=None, post_process=None):
    """A test that runs the wrapped submission silently, then prints each of ``vars_to_inspect``."""
    def test_fn(submission_module):
        with capture_stdout():
            exec(submission_module.submission_code, environment if environment is not None else {})
        for var in vars_to_inspect or []:
            print(var)
    return test_fn


def trace_wrapped_code(inspector, error_msg):
    def test_fn(submission_module):
        inspector.set_source(submission_module.submission_code)
        with inspector:
            for report in inspector.inspect_dispatch():
                if not report:
                    print(error_msg)
    return test_fn


def invoke_student_function(fn_name, args, environment=None, output_writer=None):
    """A test that calls the submission's ``fn_name(*args)`` and prints ``output_writer(result)`` (``repr``)."""
    writer = output_writer or repr

    def test_fn(submission_module):
        for name, value in (environment or {}).items():
            setattr(submission_module, name, value)
        print(writer(getattr(submission_module, fn_name)(*args)))
    return test_fn


class InvokeStudentFunctionTest(Test):
    """A :class:`Test` calling one function of the submission."""

    def __init__(self, fn_name, args, environment=None, output_writer=None, short_desc=None, detailed_desc=None,
                 compare=None):
        if short_desc is None:
            short_desc = "Test: {}({})".format(fn_name, ", ".join(repr(arg) for arg in args))
        Test.__init__(self, invoke_student_function(fn_name, args, environment, output_writer), short_desc,
                      detailed_desc, compare)


def round_float_writer(n):
    """An output writer printing a float with ``n`` decimals."""
    def writer(value):
        return f"{value:.{n}f}"
    return writer
