"""The program run inside the jail (a fresh interpreter for every run; never imported by Kampus).

Started as ``python -I -S -B -c <this source> <site-packages>...`` with ``/tmp`` (a
private tmpfs) as its working folder. It reads one document from stdin, written by
the parent with :mod:`marshal` (trusted input; the interpreter starts faster
without the ``json`` module, which costs ``re`` and ``enum``)::

    {"code": str, "globals": {...}, "seed": int | None, "files": {name: bytes}, "limits": {...}}

writes the extra files into the working folder, sets its own resource limits,
seeds ``random`` (and numpy's generator, when the code imports numpy), runs the
code, and writes one JSON document on the descriptor that was stdout::

    {"ok": true, "globals": {...}}  or  {"ok": false, "error": "Type: message", "type": "Type",
                                          "errno": int | null, "traceback": str}

Whatever the code prints goes to stderr. The parent treats everything that comes
out of here as hostile: the code can forge this document, which gives it nothing
it could not get by setting its globals.
"""

import _signal
import marshal
import os
import resource
import sys
from _json import encode_basestring_ascii as _quote

OK_TYPES = (type(None), bool, int, float, str, bytes, list, tuple, dict)
INFINITY = float("inf")


def to_json(obj):
    """JSON text of ``obj`` as ``json.dumps(obj, allow_nan=False)`` writes it, bytes read as UTF-8
    (CodeJail's ``json_safe``). Raises ValueError/TypeError/RecursionError for what JSON cannot hold."""
    if obj is None:
        return "null"
    if obj is True:
        return "true"
    if obj is False:
        return "false"
    kind = type(obj)
    if kind is str or isinstance(obj, str):
        return _quote(obj)
    if isinstance(obj, bytes):
        return _quote(obj.decode("utf-8"))
    if isinstance(obj, int):
        return int.__repr__(obj)
    if isinstance(obj, float):
        if obj != obj or obj in (INFINITY, -INFINITY):
            raise ValueError("NaN and infinities are not JSON")
        return float.__repr__(obj)
    if isinstance(obj, (list, tuple)):
        return "[" + ",".join([to_json(item) for item in obj]) + "]"
    if isinstance(obj, dict):
        return "{" + ",".join([json_key(key) + ":" + to_json(value) for key, value in obj.items()]) + "}"
    raise TypeError(f"{kind.__name__} is not JSON")


def json_key(key):
    if isinstance(key, (str, bytes)):
        return to_json(key)
    if key is None or isinstance(key, (bool, int, float)):
        return _quote(to_json(key))
    raise TypeError("keys must be str, int, float, bool or None")


def json_safe(values):
    """JSON text of the JSON-serialisable part of ``values`` (like CodeJail's ``json_safe``)."""
    kept = []
    for key, value in values.items():
        if key == "__builtins__" or not isinstance(key, str) or not isinstance(value, OK_TYPES):
            continue
        try:
            kept.append(_quote(key) + ":" + to_json(value))
        except Exception:
            continue
    return "{" + ",".join(kept) + "}"


def set_limits(limits):
    def limit(which, value):
        if value:
            resource.setrlimit(which, (value, value))

    cpu = limits.get("cpu_seconds")
    if cpu:
        # soft limit: SIGXCPU (the process dies of it); hard limit a second later: SIGKILL
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu), int(cpu) + 1))
    limit(resource.RLIMIT_AS, limits.get("memory_bytes"))
    limit(resource.RLIMIT_NPROC, limits.get("processes"))
    limit(resource.RLIMIT_FSIZE, limits.get("file_bytes"))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))
    # a write past the file-size limit fails with EFBIG instead of killing the process
    _signal.signal(_signal.SIGXFSZ, _signal.SIG_IGN)


def seeded_random(seed):
    """A copy of the ``random`` module whose functions use a generator seeded with ``seed``."""
    import random as real

    module = type(sys)("random", real.__doc__)
    module.__dict__.update(real.__dict__)
    instance = real.Random(seed)
    module._inst = instance
    for name, value in real.__dict__.items():
        if getattr(value, "__self__", None) is real._inst:
            setattr(module, name, getattr(instance, name))
    return module


class SeedNumpy:
    """Seeds ``numpy.random`` the moment the code imports it (importing numpy up front costs ~0.1 s)."""

    def __init__(self, seed):
        self.seed = seed

    def find_spec(self, fullname, path, target=None):
        if fullname != "numpy.random":
            return None
        import importlib.machinery

        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader, seed = spec.loader, self.seed
        exec_module = loader.exec_module

        def exec_and_seed(module):
            exec_module(module)
            module.seed(seed % 2**32)

        loader.exec_module = exec_and_seed
        return spec

    def invalidate_caches(self):
        pass


def main():
    result_fd = os.dup(1)
    os.dup2(2, 1)  # what the code prints goes to stderr; the result document has a descriptor of its own
    sys.path.insert(0, os.getcwd())  # the extra files are importable, as in CodeJail (code run from its folder)
    sys.path.extend(path for path in sys.argv[1:] if path)
    document = marshal.loads(sys.stdin.buffer.read())
    sys.stdin.close()
    os.close(0)
    for name, content in (document.get("files") or {}).items():
        with open(name, "wb") as handle:
            handle.write(content)
    set_limits(document.get("limits") or {})

    code = document["code"]
    globals_dict = dict(document.get("globals") or {})
    seed = document.get("seed")
    if seed is not None:
        module = seeded_random(seed)
        sys.modules["random"] = module
        globals_dict["random"] = module  # like Open edX's safe_exec prolog
        sys.meta_path.insert(0, SeedNumpy(seed))
    try:
        exec(compile(code, "<instructor code>", "exec"), globals_dict)
        text = '{"ok":true,"globals":' + json_safe(globals_dict) + "}"
    except BaseException as exc:
        import traceback

        lines = traceback.format_exception(type(exc), exc, exc.__traceback__.tb_next)
        errno = getattr(exc, "errno", None)
        text = json_safe({
            "ok": False,
            "type": type(exc).__name__,
            "errno": errno if type(errno) is int else None,
            "error": "".join(traceback.format_exception_only(type(exc), exc)).strip()[:2000],
            "traceback": "".join(lines)[-20000:],
        })
    data = text.encode("utf-8")
    while data:
        written = os.write(result_fd, data)
        data = data[written:]
    os._exit(0)


if __name__ == "__main__":
    main()
