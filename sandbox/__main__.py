"""python -m sandbox --port 8765 --data-dir .local/hjs-sandbox --merchant-id ZW0001 [...]

The key and IV may come from HJS_SANDBOX_KEY / HJS_SANDBOX_IV so they stay off the command line
(and out of `ps`). Nothing secret is printed. SIGTERM/SIGINT shut down cleanly (uvicorn's handlers).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sqlite3
import sys
from pathlib import Path

try:
    import hjs_operators  # noqa: F401
except ImportError:  # run from a checkout without the editable install: use the repo's plugins/
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "plugins"))

from hjs_operators.protocol import HjsConfigError, ProtocolSettings  # noqa: E402
from hjs_operators.protocol.crypto import normalize_key  # noqa: E402

from .config import SandboxConfig  # noqa: E402
from .faults import FaultConfig, FaultConfigError  # noqa: E402

KEY_ENV = "HJS_SANDBOX_KEY"
IV_ENV = "HJS_SANDBOX_IV"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m sandbox", description="HJS exchange sandbox (docs/hjs-protocol.md)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--data-dir", type=Path, required=True, help="directory for the sandbox's SQLite file")
    p.add_argument("--merchant-id", required=True)
    p.add_argument("--key", help=f"3DES/signing key (text, hex:..., base64:...); default ${KEY_ENV}")
    p.add_argument("--iv", help=f"CBC IV (text, hex:..., base64:...); default ${IV_ENV}")
    p.add_argument("--mode", default="CBC", type=str.upper, choices=["CBC", "ECB"])
    p.add_argument("--sign-type", default="HMAC-SHA256", type=str.upper, choices=["HMAC-SHA256", "MD5"])
    p.add_argument("--charset", default="UTF-8", type=str.upper, choices=["UTF-8", "UTF8", "GBK"])
    p.add_argument("--replay-window-seconds", type=int, default=300)
    p.add_argument("--seed", type=int, default=0, help="fault injection seed")
    p.add_argument("--faults", help="initial faults as JSON (same shape as POST /admin/faults), or @file.json")
    p.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    return p


def _faults(text: str | None) -> tuple[FaultConfig | None, int | None]:
    if not text:
        return None, None
    if text.startswith("@"):
        text = Path(text[1:]).read_text(encoding="utf-8")
    data = json.loads(text)
    seed = data.get("seed") if isinstance(data, dict) else None
    return FaultConfig.from_dict(data), seed


def build_config(args: argparse.Namespace) -> SandboxConfig:
    key = args.key or os.environ.get(KEY_ENV)
    if not key:
        raise HjsConfigError(f"no key: pass --key or set {KEY_ENV}")
    iv = args.iv or os.environ.get(IV_ENV)
    settings = ProtocolSettings.from_strings(
        merchant_id=args.merchant_id,
        key=key,
        mode=args.mode,
        iv=iv if args.mode == "CBC" else None,
        sign_type=args.sign_type,
        charset=args.charset,
        replay_window_seconds=args.replay_window_seconds,
    )
    normalize_key(settings.key)  # refuse a short or degenerate key now, not on the first request
    faults, fault_seed = _faults(args.faults)
    return SandboxConfig(
        settings=settings,
        data_dir=args.data_dir,
        seed=fault_seed if fault_seed is not None else args.seed,
        **({"faults": faults} if faults is not None else {}),
    )


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        config = build_config(args)
    except (HjsConfigError, FaultConfigError, ValueError, OSError) as exc:
        # These messages name the setting, never its value.
        print(f"hjs sandbox: {exc}", file=sys.stderr)
        return 2

    import uvicorn

    from .http11 import Http11Protocol
    from .server import create_app

    try:
        app = create_app(config)
    except (RuntimeError, OSError, sqlite3.Error) as exc:  # unusable data dir
        print(f"hjs sandbox: {exc}", file=sys.stderr)
        return 2
    s = config.settings
    logging.getLogger("sandbox").info(
        "HJS sandbox for merchant %s (%s, %s, %s) on %s:%s, data in %s",
        s.merchant_id, s.mode.value, s.sign_type.value, s.charset.value, args.host, args.port, config.data_dir,
    )
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            host=args.host,
            port=args.port,
            log_level=args.log_level,
            http=Http11Protocol,  # serves requests that offer `Upgrade: h2c` (Java's HttpClient) with their body
            access_log=False,  # our own one line per call is enough; access logs cost CPU
            timeout_graceful_shutdown=int(config.hang_grace_seconds),
            log_config=None,  # keep the basicConfig format above
        )
    )
    app.protocol.is_stopping = lambda: server.should_exit  # type: ignore[attr-defined]
    # uvicorn shuts down gracefully on SIGTERM/SIGINT, then re-raises the signal to the handler that
    # was installed before it; ours turns that into a normal exit with code 0 instead of a traceback
    # (SIGINT) or death by signal (SIGTERM).
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stopped)
    try:
        server.run()
    except _Stopped:
        pass
    logging.getLogger("sandbox").info("HJS sandbox stopped")
    return 0


class _Stopped(Exception):
    pass


def _stopped(signum: int, frame: object) -> None:
    raise _Stopped


if __name__ == "__main__":
    sys.exit(main())
