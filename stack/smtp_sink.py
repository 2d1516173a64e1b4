"""An SMTP server that accepts every mail and keeps it as an .eml file a person can open.

`python -m stack.smtp_sink --port 2525 --dir .local/mail`. It relays nothing and logs only the
envelope (sender, recipient count, file name), never the content.
"""

from __future__ import annotations

import argparse
import itertools
import logging
import signal
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

log = logging.getLogger("smtp_sink")


class MaildirHandler:
    """aiosmtpd handler: one file per message, named so they sort by arrival."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)
        self._counter = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's hook name)
        with self._lock:
            name = f"{time.strftime('%Y%m%dT%H%M%S')}-{next(self._counter):05d}.eml"
        path = self.directory / name
        path.write_bytes(envelope.original_content or envelope.content)
        log.info("kept mail from %s to %d recipient(s) as %s", envelope.mail_from, len(envelope.rcpt_tos), name)
        return "250 Message accepted for delivery"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stack.smtp_sink")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", type=Path, required=True, help="folder that receives one .eml per mail")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s smtp-sink %(message)s")
    controller = Controller(MaildirHandler(args.dir), hostname=args.host, port=args.port)
    controller.start()
    log.info("SMTP sink listening on %s:%d, keeping mail in %s", args.host, args.port, args.dir)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
