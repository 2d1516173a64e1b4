-- Per-group statements touch a few thousand staged rows of million-row tables: index probes, never a
-- hash join over the whole of asset or sell_record (the planner's choice when their statistics lag).
SET LOCAL enable_hashjoin = off;
SET LOCAL enable_mergejoin = off
