-- A person's live sessions, newest first: the session limit (maxSessionsPerUser) reads them on every
-- sign-in, and revoked sessions pile up over the years (one per sign-in) in the full index sessions_user.
create index sessions_user_live on sessions (org_id, user_id, created_at desc) where revoked_at is null;
