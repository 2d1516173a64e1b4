SELECT EXISTS (SELECT 1 FROM notice_sent WHERE notice_key = %(notice_key)s)
