-- Why a share link was withdrawn when nobody pressed "Withdraw": its maker left the
-- circle, was removed, or deleted the account (the owner's list says so).
ALTER TABLE share_links ADD COLUMN revoked_reason TEXT;
