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
    """Status and body of one GET request, as the server would answer it (no socket,
    no HTTP client: the request goes straight to the ASGI app)."""
    import asyncio
    from urllib.parse import urlsplit

    from thresher.errors import ThresherError

    if not path.startswith("/"):
        raise ThresherError(f"--get needs a path starting with /, got {path!r}")
    app = create_app(out)
    parts = urlsplit(path)
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": parts.path, "raw_path": parts.path.encode(), "root_path": "",
        "query_string": parts.query.encode(), "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 0), "server": ("127.0.0.1", 80),
    }
    status = 500
    body: list[bytes] = []

    async def receive() -> dict[str, object]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, object]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])  # type: ignore[call-overload]
        elif message["type"] == "http.response.body":
            body.append(bytes(message.get("body", b"")))  # type: ignore[call-overload]

    asyncio.run(app(scope, receive, send))  # type: ignore[operator]
    return status, b"".join(body).decode("utf-8", "replace")


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
