"""With a database server (``KAMPUS_TEST_DB_URL``), the harness runs only the tests that can use it: those
with the harness's databases and those whose module reads the setting, but not their SQLite variants nor
those that reach a server by their own variable; the rest ran already on SQLite."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = '''
def test_pure():
    assert 1 + 1 == 2

def test_with_databases(kampus_databases):
    pass

def test_with_an_app(make_app):
    pass
'''

READS_IT = '''
import os

import pytest

def test_reads_the_server_itself():
    assert "KAMPUS_TEST_DB_URL" in os.environ

@pytest.mark.parametrize("kind", ["sqlite-embedded", "postgresql-rabbitmq"])
def test_variants(kind):
    pass

@pytest.mark.db_servers
def test_reaches_postgresql_through_its_own_variable():
    assert "KAMPUS_TEST_POSTGRES_URL" in os.environ
'''


def collected(folder: Path, **environ: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAMPUS_TEST_")} | environ
    result = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                             "-p", "no:xdist", str(folder)], capture_output=True, text=True, env=env, timeout=120,
                            cwd=folder)
    return result.stdout


def test_a_server_run_keeps_the_tests_that_can_use_it(tmp_path: Path) -> None:
    (tmp_path / "test_mixed.py").write_text(TESTS, encoding="utf-8")
    (tmp_path / "test_reads.py").write_text(READS_IT, encoding="utf-8")
    on_sqlite = collected(tmp_path)
    assert "7 tests collected" in on_sqlite and "test_pure" in on_sqlite
    on_server = collected(tmp_path, KAMPUS_TEST_DB_URL="postgresql+psycopg://nobody@127.0.0.1:1/none",
                          KAMPUS_TEST_POSTGRES_URL="postgresql+psycopg://nobody@127.0.0.1:1/none")
    assert "4/7 tests collected (3 deselected)" in on_server, on_server
    assert "test_pure" not in on_server and "test_with_an_app" in on_server and "test_reads_the_server" in on_server
    # the SQLite variant and the test that reaches its server by its own variable ran in the SQLite pass
    assert "test_variants[postgresql-rabbitmq]" in on_server and "sqlite-embedded" not in on_server
    assert "test_reaches_postgresql" not in on_server
    every = collected(tmp_path, KAMPUS_TEST_DB_URL="postgresql+psycopg://nobody@127.0.0.1:1/none",
                      KAMPUS_TEST_DB_ALL="1")
    assert "7 tests collected" in every
