-- When the account's latest counted sign-in failure happened: the moment its current lockout began (a locked
-- account's refused attempts are not counted), shown beside the lock to whoever may lift it.
alter table users add column last_failed_login_at timestamptz;
