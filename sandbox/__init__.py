"""HJS exchange sandbox: a real HTTP server speaking docs/hjs-protocol.md, with state and faults.

Kept import-light on purpose: `python -m sandbox` and `sandbox.admin_client` must load without the
server's dependencies being on the path first.
"""

from __future__ import annotations

from typing import Any

__all__ = ["SandboxConfig", "create_app"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .server import create_app

        return create_app
    if name == "SandboxConfig":
        from .config import SandboxConfig

        return SandboxConfig
    raise AttributeError(name)
