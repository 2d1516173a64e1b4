-- One rollover per channel at a time: the channel row is the lock (held until commit), so two racing
-- runs take turns and the second one sees what the first one did. NO KEY UPDATE: the platform can
-- still insert products and assets (their foreign keys take KEY SHARE) while a rollover runs.
SELECT channel_code FROM hjs_channel WHERE channel_code = %(channel)s FOR NO KEY UPDATE
