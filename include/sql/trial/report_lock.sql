-- One writer of a run's stored report at a time (session lock: held across the build's reads and the
-- writes, so the last files written come from the last build, which sees every decision committed).
SELECT pg_advisory_lock(hashtextextended(%(key)s, 0))
