-- Claim the right to send a notice. Returns a row when this run should send: the key is new, or a
-- re-send was asked for. A concurrent claim of the same key waits here until the first commits.
INSERT INTO notice_sent (notice_key, kind, recipients, subject, run_id)
VALUES (%(key)s, %(kind)s, %(recipients)s, %(subject)s, %(run_id)s)
ON CONFLICT (notice_key) DO UPDATE
    SET send_count = notice_sent.send_count + 1, sent_at = now(), run_id = EXCLUDED.run_id,
        recipients = EXCLUDED.recipients, subject = EXCLUDED.subject
    WHERE %(resend)s
RETURNING send_count
