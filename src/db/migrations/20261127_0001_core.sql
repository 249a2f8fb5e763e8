-- Roster core schema: organisations, users, invitations, sessions, signing keys, audit trail.
-- Every row that belongs to an organisation carries org_id; every lookup by id also names the org.

create extension if not exists pg_trgm with schema public;

create table organizations (
  id          uuid primary key default gen_random_uuid(),
  slug        text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$'),
  name        text not null check (length(name) between 1 and 200),
  settings    jsonb not null default '{}'::jsonb,
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now()
);

create table users (
  id               uuid primary key default gen_random_uuid(),
  org_id           uuid not null references organizations(id),
  email            text not null check (length(email) between 3 and 320),
  email_normalized text not null,
  display_name     text not null default '' check (length(display_name) <= 200),
  -- lower-cased copy used for sorting and search; kept by the application in the same statement
  search_text      text not null default '',
  job_title        text check (length(job_title) <= 200),
  phone            text check (length(phone) <= 40),
  locale           text check (length(locale) <= 35),
  time_zone        text check (length(time_zone) <= 64),
  attributes       jsonb not null default '{}'::jsonb,
  role             text not null,
  status           text not null check (status in ('invited', 'active', 'suspended', 'deactivated')),
  status_reason    text check (length(status_reason) <= 2000),
  status_changed_at timestamptz not null default now(),
  suspended_until  timestamptz,
  password_hash    text,
  password_changed_at timestamptz,
  failed_login_count int not null default 0,
  locked_until     timestamptz,
  created_at       timestamptz not null default now(),
  updated_at       timestamptz not null default now(),
  activated_at     timestamptz,
  last_login_at    timestamptz,
  last_active_at   timestamptz,
  version          int not null default 1,
  unique (org_id, email_normalized),
  unique (org_id, id)
);
-- keyset pagination: each sort key is (org, key, id)
create index users_org_created on users (org_id, created_at, id);
create index users_org_name on users (org_id, search_text, id);
create index users_org_email on users (org_id, email_normalized, id);
create index users_org_last_active on users (org_id, last_active_at, id);
create index users_org_status_created on users (org_id, status, created_at, id);
create index users_org_role_created on users (org_id, role, created_at, id);
create index users_search_trgm on users using gin (search_text gin_trgm_ops);
create index users_suspension_due on users (suspended_until) where status = 'suspended' and suspended_until is not null;

create table invitations (
  id           uuid primary key default gen_random_uuid(),
  org_id       uuid not null references organizations(id),
  user_id      uuid not null,
  token_hash   text not null unique,
  role         text not null,
  message      text check (length(message) <= 2000),
  invited_by   uuid,
  status       text not null check (status in ('pending', 'accepted', 'expired', 'revoked', 'superseded')),
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  accepted_at  timestamptz,
  ended_at     timestamptz,
  foreign key (org_id, user_id) references users (org_id, id)
);
create index invitations_org_created on invitations (org_id, created_at, id);
create index invitations_user on invitations (org_id, user_id, created_at);
create index invitations_pending_expiry on invitations (expires_at) where status = 'pending';

create table sessions (
  id                  uuid primary key default gen_random_uuid(),
  org_id              uuid not null references organizations(id),
  user_id             uuid not null,
  auth_method         text not null default 'password',
  created_at          timestamptz not null default now(),
  last_seen_at        timestamptz not null default now(),
  idle_expires_at     timestamptz not null,
  absolute_expires_at timestamptz not null,
  revoked_at          timestamptz,
  revoked_reason      text,
  ip                  text,
  user_agent          text check (length(user_agent) <= 512),
  foreign key (org_id, user_id) references users (org_id, id)
);
create index sessions_user on sessions (org_id, user_id, created_at desc);
create index sessions_revoked_recent on sessions (revoked_at) where revoked_at is not null;

-- One row per refresh token ever issued; a session's tokens form its family.
create table refresh_tokens (
  token_hash  text primary key,
  session_id  uuid not null references sessions(id),
  org_id      uuid not null,
  created_at  timestamptz not null default now(),
  used_at     timestamptz
);
create index refresh_tokens_session on refresh_tokens (session_id);

-- Failed sign-in attempts counted per source (the per-account counter lives on users).
create table sign_in_throttle (
  source       text primary key,
  failures     int not null default 0,
  window_start timestamptz not null default now(),
  locked_until timestamptz
);

create table signing_keys (
  kid                   text primary key,
  alg                   text not null,
  public_jwk            jsonb not null,
  private_jwk_encrypted text not null,
  created_at            timestamptz not null default now(),
  retired_at            timestamptz
);

-- Audit trail: append-only, hash-chained per organisation.
create table audit_events (
  org_id        uuid not null references organizations(id),
  seq           bigint not null,
  id            uuid not null default gen_random_uuid() unique,
  occurred_at   timestamptz not null,
  actor_type    text not null check (actor_type in ('user', 'system', 'scim', 'cli')),
  actor_id      uuid,
  action        text not null,
  target_type   text,
  target_id     uuid,
  changes       jsonb,
  reason        text,
  request_id    text,
  ip            text,
  user_agent    text,
  prev_hash     text not null,
  hash          text not null,
  primary key (org_id, seq)
);
create index audit_events_org_time on audit_events (org_id, occurred_at, seq);
create index audit_events_target on audit_events (org_id, target_id, seq);
create index audit_events_actor on audit_events (org_id, actor_id, seq);
create index audit_events_action on audit_events (org_id, action, seq);

create table audit_chain_heads (
  org_id    uuid primary key references organizations(id),
  last_seq  bigint not null,
  last_hash text not null
);

create function audit_events_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit events are append-only' using errcode = '42501';
end;
$$;
create trigger audit_events_no_update before update or delete on audit_events
  for each row execute function audit_events_append_only();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function audit_events_append_only();
