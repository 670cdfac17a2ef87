"""The coordination office's web page: ``create_app(db_path)`` (FastAPI) and ``serve``."""

from __future__ import annotations

from pathlib import Path

from pipeline.web.app import create_app

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def serve(db_path: Path | str, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> None:
    """Run the page with uvicorn until interrupted (binds to 127.0.0.1 unless told otherwise)."""
    import uvicorn

    uvicorn.run(create_app(db_path), host=host, port=port, log_level="info", server_header=False)


__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "create_app", "serve"]
