"""Helpers for graders inside the sandbox, API-compatible with xqueue-watcher's ``graderutil``.

Copied into the sandbox next to ``gradelib``; Kampus's own implementation.
"""

import contextlib
import io
import os
import shutil
import sys
import tempfile
import textwrap
import traceback

#: Language of the grader's messages (translations in ``conf/locale/<LANGUAGE>/LC_MESSAGES/graders.mo``).
LANGUAGE = "en"


@contextlib.contextmanager
def captured_stdout():
    """Everything printed inside the block goes to the yielded StringIO."""
    saved = sys.stdout
    sys.stdout = buffer = io.StringIO()
    try:
        yield buffer
    finally:
        sys.stdout = saved


@contextlib.contextmanager
def change_directory(new_dir):
    saved = os.getcwd()
    os.chdir(new_dir)
    try:
        yield new_dir
    finally:
        os.chdir(saved)


@contextlib.contextmanager
def temp_directory(delete_when_done=True):
    path = tempfile.mkdtemp(prefix="grader-")
    try:
        yield path
    finally:
        if delete_when_done:
            shutil.rmtree(path)


@contextlib.contextmanager
def module_isolation():
    """Modules imported inside the block are forgotten after it (a later import runs them again)."""
    before = set(sys.modules)
    try:
        yield
    finally:
        for name in [name for name in sys.modules if name not in before]:
            del sys.modules[name]


def make_file(filename, text=""):
    folder = os.path.dirname(filename)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(filename, "w", encoding="utf-8") as handle:
        handle.write(textwrap.dedent(text))
    return filename


def frame_in_file(frame, filename):
    """Whether the traceback frame ``frame`` runs code of ``filename`` (compared without folder and suffix)."""
    stem = os.path.splitext(os.path.basename(frame.f_code.co_filename))[0]
    return stem == os.path.splitext(filename)[0]


def format_exception(exc_info=None, main_file=None, hide_file=False):
    """The traceback of ``exc_info`` (default: the exception being handled), starting at the first frame of
    ``main_file`` when given; with ``hide_file``, paths are shown relative to the working folder."""
    kind, value, tb = exc_info or sys.exc_info()
    if main_file:
        while tb is not None and not frame_in_file(tb.tb_frame, main_file):
            tb = tb.tb_next
    lines = traceback.format_exception(kind, value, tb)
    if hide_file:
        here = os.getcwd() + os.sep
        lines = [line.replace(here, "", 1) for line in lines]
    return "".join(lines)
