-- Password reset links (issue 12). The token is shown once, in the email; only its SHA-256 (with the
-- purpose `password_reset`) is stored. A link is bound to its user and organisation, lives 30 minutes and
-- works once: `used_at` is set by one conditional UPDATE, so concurrent submissions give one success. A
-- newer link (or any change of the password) ends the older ones (`ended_at`).
create table password_resets (
  id            uuid primary key default gen_random_uuid(),
  org_id        uuid not null references organizations(id),
  user_id       uuid not null,
  token_hash    text not null unique,
  -- The administrator who sent it (sendPasswordReset); null when the person asked for it.
  requested_by  uuid,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null,
  used_at       timestamptz,
  ended_at      timestamptz,
  foreign key (org_id, user_id) references users (org_id, id)
);
create index password_resets_user on password_resets (org_id, user_id, created_at desc);
create index password_resets_expiry on password_resets (expires_at);

-- Requests for a reset link counted per address and per source in fixed windows; past the limit the answer
-- stays the same but nothing is sent. Keys: `email:<normalised address>` and `ip:<source>`.
create table password_reset_throttle (
  key          text primary key,
  window_start timestamptz not null,
  requests     int not null default 0
);
create index password_reset_throttle_window on password_reset_throttle (window_start);
