-- Channels that have a package on sale or waiting its turn: the ones rollover looks at.
SELECT DISTINCT channel_code FROM hjs_product WHERE status IN ('ON_SALE', 'PENDING') ORDER BY channel_code
