"""E-mails that must go out once: settlement notices to HJS, failure reports and alerts to operations.

The claim (a row in notice_sent, unique on the notice's key) and the send share one transaction:
- the send fails -> the claim rolls back, and the task's retry sends;
- a rerun, a cleared task or a backfill of the same day -> the key is there, nothing is sent;
- two runs at once -> the second waits on the unique key, then finds it sent;
- a person asks for a re-send (a run parameter) -> sent again and counted (send_count).
Only subject, recipients and attachment names are logged, never the body.
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email import encoders
from email.message import Message
from email.mime.base import MIMEBase

from .repository.db import transaction
from .repository.sql_files import load_sql

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes = field(repr=False)
    content_type: str = ""  # e.g. "text/csv; charset=utf-8"; empty: from the file name (our text is UTF-8)

    def mime_type(self) -> str:
        if self.content_type:
            return self.content_type
        guessed = mimetypes.guess_type(self.filename)[0] or "application/octet-stream"
        return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed

    def mime_part(self) -> MIMEBase:
        header = Message()
        header["Content-Type"] = self.mime_type()
        part = MIMEBase(header.get_content_maintype(), header.get_content_subtype(),
                        **dict(header.get_params()[1:]))
        part.set_payload(self.content)
        encoders.encode_base64(part)
        part.add_header("Content-Disposition", "attachment", filename=self.filename)
        return part


@dataclass(frozen=True)
class Notice:
    key: str  # what the mail is about, e.g. "settlement:2026-11-27"; a second send needs resend=True
    kind: str
    to: Sequence[str]
    subject: str
    html: str = field(repr=False)
    attachments: Sequence[Attachment] = ()


def recipients(value: str) -> list[str]:
    """'a@x, b@y' (an Airflow Variable) -> ['a@x', 'b@y']; an empty list is an error, not silence."""
    addresses = [part.strip() for part in value.split(",") if part.strip()]
    if not addresses:
        raise ValueError("no e-mail recipients configured")
    return addresses


def send_once(zw_conn, notice: Notice, *, smtp_conn_id: str, run_id: str, resend: bool = False,
              record: Callable[[object], None] | None = None) -> bool:
    """Send `notice` unless it was sent before (or resend is asked). True if it was sent now.
    `record(cursor)`, if given, writes what the notice covers in the same transaction as the claim."""
    with transaction(zw_conn) as cur:
        cur.execute(load_sql("notices/claim.sql"), {
            "key": notice.key, "kind": notice.kind, "recipients": ", ".join(notice.to),
            "subject": notice.subject, "run_id": run_id, "resend": resend})
        claimed = cur.fetchone()
        if claimed is None:
            log.info("notice %s was already sent; not sending again (a re-send must be asked for)", notice.key)
            return False
        if record is not None:
            record(cur)
        _send(notice, smtp_conn_id)
        log.info("notice %s sent to %d recipient(s) (send #%d): %s%s", notice.key, len(notice.to), claimed[0],
                 notice.subject, f", attachments {[a.filename for a in notice.attachments]}" if notice.attachments
                 else "")
    return True


def _send(notice: Notice, smtp_conn_id: str) -> None:
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    class TypedAttachmentsHook(SmtpHook):
        """The provider's hook attaches files by path, each as application/octet-stream; this one adds
        the notice's attachments as MIME parts with their own content types."""

        def _build_mime_message(self, *args, **kwargs):
            message, recipients = super()._build_mime_message(*args, **kwargs)
            for attachment in notice.attachments:
                message.attach(attachment.mime_part())
            return message, recipients

    with TypedAttachmentsHook(smtp_conn_id=smtp_conn_id) as hook:
        hook.send_email_smtp(to=list(notice.to), subject=notice.subject, html_content=notice.html)
