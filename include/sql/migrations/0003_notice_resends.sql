-- A notice may be re-sent on purpose (a run parameter asks for it): count the sends instead of
-- overwriting the evidence of the first one.
ALTER TABLE notice_sent ADD COLUMN send_count INTEGER NOT NULL DEFAULT 1 CHECK (send_count > 0);
ALTER TABLE notice_sent ADD COLUMN first_sent_at TIMESTAMPTZ NOT NULL DEFAULT now();
