"""AWS services for driver tests: moto in server mode on 127.0.0.1 (the S3 and SES drivers' suites).

moto is a test tool (``make test`` installs it); this module imports it only when a server starts::

    @pytest.fixture(scope="session")
    def moto_endpoint():
        with moto_server() as url:
            yield url
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's AWS services in server mode on a free port of 127.0.0.1; yields the endpoint URL, stops after."""
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()
