"""`kampus serve`'s access log: paths without query strings, rotated by size, shared by the workers."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

from flask import request
from gunicorn.config import Config
from gunicorn.glogging import Logger

from kampus.access_log import LOG_PATH_KEY, mark_secret_path_parts
from kampus.core import kampus_settings
from kampus.settings import validate_settings
from kampus.web_server import ACCESS_LOG_FORMAT, KampusAccessLogger, SharedRotatingFileHandler, gunicorn_settings


def access_line(environ_extra: dict[str, str]) -> str:
    """The line gunicorn writes for one request with :data:`ACCESS_LOG_FORMAT`."""
    config = Config()
    config.set("access_log_format", ACCESS_LOG_FORMAT)
    logger = Logger(config)
    environ = {
        "REQUEST_METHOD": "GET", "RAW_URI": "/password/reset?token=s3cr3t-query", "PATH_INFO": "/password/reset",
        "QUERY_STRING": "token=s3cr3t-query", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "198.51.100.2",
        "HTTP_USER_AGENT": "curl/8", **environ_extra,
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=12)
    atoms = logger.atoms_wrapper_class(logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(0, 1)))
    return ACCESS_LOG_FORMAT % atoms


def test_the_access_log_line_has_the_path_but_no_query_string_or_referer():
    line = access_line({"HTTP_REFERER": "https://example.org/confirm?key=s3cr3t-referer"})
    assert '"GET /password/reset HTTP/1.1" 200 12' in line
    assert line.startswith("198.51.100.2 ")
    assert "s3cr3t" not in line and "?" not in line


def test_serve_configures_a_rotated_access_log_in_the_site_folder(tmp_path):
    settings = validate_settings({"home": str(tmp_path), "access_log_max_bytes": "1000"}, kampus_settings())
    options = gunicorn_settings(settings, "127.0.0.1", 8765, 2)
    assert options["bind"] == "127.0.0.1:8765"
    assert options["access_log_format"] == ACCESS_LOG_FORMAT
    assert options["forwarded_allow_ips"] == ""  # kampus.proxies decides which proxies are believed
    handler = options["logconfig_dict"]["handlers"]["kampus_access"]
    assert handler["filename"] == str(tmp_path / "logs" / "access.log")
    assert handler["maxBytes"] == 1000 and handler["backupCount"] == 5
    assert options["logconfig_dict"]["loggers"]["gunicorn.access"]["handlers"] == ["kampus_access"]
    config = Config()
    for name, value in options.items():
        config.set(name, value)  # gunicorn accepts every value

    no_log = validate_settings({"home": str(tmp_path), "access_log": ""}, kampus_settings())
    assert "logconfig_dict" not in gunicorn_settings(no_log, "127.0.0.1", 8765, 2)


def _logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(name)
    logger.propagate = False
    logger.handlers = [handler]
    logger.setLevel(logging.INFO)
    return logger


def test_the_handler_rotates_by_size_and_keeps_a_few_backups(tmp_path):
    path = tmp_path / "logs" / "access.log"
    handler = SharedRotatingFileHandler(str(path), maxBytes=200, backupCount=2, encoding="utf-8")
    logger = _logger("kampus.test.access.single", handler)
    for number in range(40):
        logger.info("request %03d %s", number, "x" * 30)
    handler.close()
    files = sorted(item.name for item in path.parent.iterdir() if not item.name.endswith(".lock"))
    assert files == ["access.log", "access.log.1", "access.log.2"]
    assert all(item.stat().st_size <= 200 for item in path.parent.glob("access.log*") if item.suffix != ".lock")
    assert "request 039" in path.read_text()


def test_two_workers_share_one_file_without_losing_lines(tmp_path):
    path = tmp_path / "access.log"
    first = SharedRotatingFileHandler(str(path), maxBytes=500, backupCount=50, encoding="utf-8")
    second = SharedRotatingFileHandler(str(path), maxBytes=500, backupCount=50, encoding="utf-8")
    loggers = [_logger("kampus.test.access.a", first), _logger("kampus.test.access.b", second)]
    for number in range(100):
        loggers[number % 2].info("line %03d", number)
    first.close()
    second.close()
    rotated = sorted(Path(tmp_path).glob("access.log.*[0-9]"), key=lambda item: -int(item.suffix[1:]))
    # oldest file first, the current one last: every line once, in the order written
    lines = [line for item in [*rotated, path] for line in item.read_text().splitlines()]
    assert lines == [f"line {number:03d}" for number in range(100)]
    assert all(item.stat().st_size <= 500 for item in [*rotated, path])


def test_a_path_that_holds_a_token_is_logged_with_the_token_redacted():
    config = Config()
    config.set("access_log_format", ACCESS_LOG_FORMAT)
    logger = KampusAccessLogger(config)
    path = "/password/reset/s3cr3t-path"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": path, "PATH_INFO": path, "QUERY_STRING": "",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "198.51.100.2"}
    mark_secret_path_parts(environ, "/password/reset/s3cr3t-path", {"token": "s3cr3t-path"})
    response = SimpleNamespace(status="200 OK", headers=[], sent=12)
    atoms = logger.atoms_wrapper_class(logger.atoms(response, SimpleNamespace(headers=[]), environ, timedelta(0, 1)))
    line = ACCESS_LOG_FORMAT % atoms
    assert '"GET /password/reset/[redacted] HTTP/1.1"' in line and "s3cr3t" not in line


def test_the_app_marks_secret_url_variables_only(make_app):
    app = make_app()
    with app.test_request_context("/confirm/abc.DEF-123"):
        app.preprocess_request()
        assert request.environ[LOG_PATH_KEY] == "/confirm/[redacted]"
    with app.test_request_context("/password/reset"):
        app.preprocess_request()
        assert LOG_PATH_KEY not in request.environ
