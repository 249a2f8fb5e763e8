-- Multi-factor authentication (issue 12): TOTP factors, recovery codes and the sign-in's second step.
--
-- A TOTP factor's secret is sealed (AES-256-GCM under a key derived from ROSTER_SECRET_KEY, the factor's id as
-- associated data: domain/mfa/secret-seal.ts). It is pending (confirmed_at null) until the person proves a first
-- code. `last_used_step` is the newest 30-second time step accepted: a code is spent by ONE conditional UPDATE
-- (`last_used_step is null or last_used_step < step`), so a code, and any earlier one, works once, whatever the
-- concurrency. `kind` leaves room for other factor kinds; passkeys keep their own table.
create table mfa_factors (
  id              uuid primary key default gen_random_uuid(),
  org_id          uuid not null references organizations(id),
  user_id         uuid not null,
  kind            text not null check (kind in ('totp')),
  name            text not null,
  secret_sealed   text not null,
  created_at      timestamptz not null default now(),
  confirmed_at    timestamptz,
  last_used_at    timestamptz,
  last_used_step  bigint,
  foreign key (org_id, user_id) references users (org_id, id)
);
-- One authenticator app per person (pending or confirmed): a new enrolment replaces a pending one.
create unique index mfa_factors_one_totp on mfa_factors (org_id, user_id) where kind = 'totp';

-- Recovery codes: 10 per batch, shown once, stored as SHA-256 of (purpose, user, code) — the codes carry 80
-- random bits, so no stretching is needed. Used by one conditional UPDATE (used_at is null): single use.
-- A new batch deletes the old one.
create table mfa_recovery_codes (
  id          uuid primary key default gen_random_uuid(),
  org_id      uuid not null references organizations(id),
  user_id     uuid not null,
  code_hash   text not null unique,
  created_at  timestamptz not null default now(),
  used_at     timestamptz,
  foreign key (org_id, user_id) references users (org_id, id)
);
create index mfa_recovery_codes_user on mfa_recovery_codes (org_id, user_id);

-- The second step of a sign-in: the password was right, a factor is due. The challenge id is a 256-bit
-- secret given to the client once and stored hashed; bound to user and organisation, lives 5 minutes, allows
-- a few attempts (`attempts`) and is used once (`used_at`, conditional UPDATE).
create table mfa_challenges (
  id          uuid primary key default gen_random_uuid(),
  org_id      uuid not null references organizations(id),
  user_id     uuid not null,
  token_hash  text not null unique,
  created_at  timestamptz not null default now(),
  expires_at  timestamptz not null,
  attempts    int not null default 0,
  used_at     timestamptz,
  foreign key (org_id, user_id) references users (org_id, id)
);
create index mfa_challenges_user on mfa_challenges (org_id, user_id);
create index mfa_challenges_expiry on mfa_challenges (expires_at);
