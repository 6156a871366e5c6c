"""The local inspector: ``create_app`` builds the Starlette app, ``serve`` runs it,
``get_page`` answers one request without a server (``thresher inspect --get``)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from pathlib import Path

__all__ = ["create_app", "get_page", "serve"]


def create_app(out: Path, allowed_hosts: list[str] | None = None) -> object:
    """The inspector app over output folder ``out``; see :mod:`.app`."""
    from thresher.errors import require

    require("starlette", "inspect")
    from thresher.report.inspect.app import create_app as _create

    return _create(Path(out), allowed_hosts)


def get_page(out: Path, path: str) -> tuple[int, str]:
    """Status and body of one GET request, as the server would answer it."""
    from thresher.errors import ThresherError, require

    require("httpx", "test", "httpx (for --get)")
    from starlette.testclient import TestClient

    if not path.startswith("/"):
        raise ThresherError(f"--get needs a path starting with /, got {path!r}")
    with TestClient(create_app(out), base_url="http://127.0.0.1", raise_server_exceptions=False) as client:
        r = client.get(path)
        return r.status_code, r.text


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(out: Path, host: str = "127.0.0.1", port: int = 8001, echo: Callable[[str], None] = print) -> None:
    """Load the folder, then serve it until interrupted."""
    from thresher.errors import require

    require("uvicorn", "inspect")
    import uvicorn

    loopback = _is_loopback(host)
    app = create_app(out, None if loopback else ["*"])
    if not loopback:
        echo(f"warning: listening on {host}: anyone who can reach this machine can read {out}")
    shown = f"[{host}]" if ":" in host else host
    echo(f"thresher inspect: http://{shown}:{port}/  ({out}; Ctrl-C to stop)")
    uvicorn.run(app, host=host, port=port, log_level="warning")  # type: ignore[arg-type]
