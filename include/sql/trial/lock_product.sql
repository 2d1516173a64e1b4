-- Serialises the writers of one product's sell records and decision (two runs of one date, a decision
-- applied while a rerun settles): the second waits here, then finds the first one's work done.
SELECT id FROM hjs_product WHERE id = %(product_id)s FOR NO KEY UPDATE
