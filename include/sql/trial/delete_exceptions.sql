DELETE FROM reconciliation_exception WHERE run_id = %(run_id)s AND product_id = %(product_id)s
