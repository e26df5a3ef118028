-- The language a phone's notifications are written in: the page's when it subscribed.
-- NULL (phones subscribed before): English.
ALTER TABLE push_subscriptions ADD COLUMN language TEXT;
