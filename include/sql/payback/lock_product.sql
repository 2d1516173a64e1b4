-- Serialises payback runs of one product (a rerun racing a cleared task waits here, then finds the
-- orders written). NO KEY UPDATE: foreign-key inserts that point at the product are not blocked.
SELECT id FROM hjs_product WHERE id = %(product_id)s FOR NO KEY UPDATE
