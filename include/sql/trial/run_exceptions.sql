-- The run's exception rows, largest difference first: of every product (product_ids NULL) or of some,
-- at most per_product rows of each (NULL: all); of_product counts every row of the product all the same.
SELECT product_id, product_code, subject_key, asset_id, order_no, class, zw_amount, hjs_amount, diff, detail,
       of_product
FROM (SELECT e.product_id, p.product_code, e.subject_key, e.asset_id, e.order_no, e.class, e.zw_amount,
             e.hjs_amount, e.diff, e.detail,
             row_number() OVER (PARTITION BY e.product_id
                                ORDER BY abs(COALESCE(e.diff, 0)) DESC, e.subject_key, e.class) AS rank,
             count(*) OVER (PARTITION BY e.product_id) AS of_product
      FROM reconciliation_exception e
      JOIN hjs_product p ON p.id = e.product_id
      WHERE e.run_id = %(run_id)s
        AND (%(product_ids)s::bigint[] IS NULL OR e.product_id = ANY(%(product_ids)s::bigint[]))) ranked
WHERE %(per_product)s::integer IS NULL OR rank <= %(per_product)s::integer
ORDER BY abs(COALESCE(diff, 0)) DESC, product_code, subject_key, class
