SELECT product_id FROM settlement_notice_product WHERE maturity_date = %(maturity_date)s ORDER BY product_id
