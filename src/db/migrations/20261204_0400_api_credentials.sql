-- API credentials (issue 13): SCIM bearer tokens of an organisation and personal API tokens of a user.
-- Only an HMAC-SHA-256 of each secret is stored (domain/api-credentials/credential-secret.ts); the id is
-- part of the presented token, so a look-up is by primary key and the hash is compared in constant time.
create table scim_tokens (
  id             uuid primary key,
  org_id         uuid not null references organizations (id),
  name           text not null check (length(name) between 1 and 100),
  secret_hash    text not null,
  -- what the token may do: provision users, groups (departments), map groups to roles
  scopes         text[] not null check (scopes <@ array['users', 'groups', 'role_mapping']::text[] and cardinality(scopes) > 0),
  -- the widest role the token may act on or grant (the target-role rule for a token)
  max_role       text not null,
  created_by     uuid,
  created_at     timestamptz not null default now(),
  expires_at     timestamptz not null,
  rotated_at     timestamptz,
  revoked_at     timestamptz,
  last_used_at   timestamptz,
  last_used_ip   text
);
create index scim_tokens_org on scim_tokens (org_id, created_at desc);

create table personal_api_tokens (
  id             uuid primary key,
  org_id         uuid not null references organizations (id),
  user_id        uuid not null references users (id),
  name           text not null check (length(name) between 1 and 100),
  secret_hash    text not null,
  -- null: the owner's own permissions; otherwise a subset of them (checked again on every use)
  permissions    text[],
  created_at     timestamptz not null default now(),
  expires_at     timestamptz not null,
  revoked_at     timestamptz,
  last_used_at   timestamptz,
  last_used_ip   text
);
create index personal_api_tokens_user on personal_api_tokens (org_id, user_id, created_at desc);

-- Audit: a SCIM token acts as itself (actor_id = the token's id); a personal token acts for its owner
-- (actor_id = the user) and is told apart from a session.
alter table audit_events drop constraint audit_events_actor_type_check;
alter table audit_events add constraint audit_events_actor_type_check
  check (actor_type in ('user', 'system', 'scim', 'cli', 'api_credential', 'personal_token'));
