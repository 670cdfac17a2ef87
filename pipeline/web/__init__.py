"""The coordination office's web page: ``create_app(db_path)`` (FastAPI) and ``serve``."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from pathlib import Path

from pipeline.web.app import create_app, host_name

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return host == ""


def allowed_hosts(host: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The names a request's ``Host`` header may give to a server bound to ``host``.

    The bound address itself; the loopback names when it is a loopback address; for a wildcard
    address (``0.0.0.0``, ``::``), the loopback names and this machine's own names and addresses
    (other names, such as a DNS alias, come in ``extra``: ``baocao serve --allowed-host``).
    """
    names = {host_name(name) for name in extra if name.strip()}
    if not _is_wildcard(host):
        names.add(host_name(host))
    if _is_loopback(host) or _is_wildcard(host):
        names |= set(LOOPBACK_NAMES)
    if _is_wildcard(host):
        own = {socket.gethostname(), socket.getfqdn()}
        for name in list(own):
            try:
                own |= {str(info[4][0]) for info in socket.getaddrinfo(name, None)}
            except OSError:  # a name that does not resolve: only the name itself
                continue
        names |= {host_name(name) for name in own if name}
    return frozenset(names)


def serve(db_path: Path | str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, extra_hosts: Iterable[str] = ()) -> None:
    """Run the page with uvicorn until interrupted (binds to 127.0.0.1 unless told otherwise).

    Requests whose ``Host`` header is not in :func:`allowed_hosts` (``host`` and ``extra_hosts``) get 400.
    """
    import uvicorn

    app = create_app(db_path, allowed_hosts=allowed_hosts(host, extra_hosts))
    uvicorn.run(app, host=host, port=port, log_level="info", server_header=False)


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "allowed_hosts", "create_app", "serve"]
