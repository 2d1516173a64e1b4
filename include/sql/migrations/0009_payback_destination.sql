-- Where an asset's payback goes, defined once for every statement that needs it (the payback orders and
-- the settlement notice's balance/card split); tests/payback/test_destination_sql.py proves it equal to
-- hjs_operators.domain.payback.destination. Any boost -> BALANCE (principal, interest and boost in one
-- payback); otherwise the money goes back the way it came. A plain SQL function: the planner inlines it.
CREATE FUNCTION payback_destination(pay_method TEXT, boosted BOOLEAN) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN boosted OR pay_method = 'BALANCE' THEN 'BALANCE' ELSE 'CARD' END;
