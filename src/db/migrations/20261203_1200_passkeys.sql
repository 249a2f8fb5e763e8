-- Passkeys (WebAuthn credentials, issue 12). A credential's id is unique across the installation (it is how
-- a discoverable sign-in finds its owner); the public key is the COSE key, base64url. The sign counter, the
-- device type (singleDevice | multiDevice) and the backed-up flag are kept as the authenticator last
-- reported them (@simplewebauthn/server verifies; nothing here is hand-written cryptography).
create table passkeys (
  id             uuid primary key default gen_random_uuid(),
  org_id         uuid not null references organizations(id),
  user_id        uuid not null,
  credential_id  text not null unique,
  public_key     text not null,
  sign_count     bigint not null default 0,
  transports     text[] not null default '{}',
  device_type    text not null check (device_type in ('singleDevice', 'multiDevice')),
  backed_up      boolean not null default false,
  name           text not null,
  aaguid         text not null,
  created_at     timestamptz not null default now(),
  last_used_at   timestamptz,
  foreign key (org_id, user_id) references users (org_id, id)
);
create index passkeys_user on passkeys (org_id, user_id, created_at);

-- One row per WebAuthn ceremony in flight: the challenge is stored only as its SHA-256 (purpose-prefixed),
-- lives 5 minutes and is used once (consumed by one conditional DELETE ... RETURNING). A registration is
-- bound to the signed-in session that began it; a passwordless sign-in (no user yet) to a random ceremony
-- id handed to the client, also stored hashed.
create table webauthn_challenges (
  id              uuid primary key default gen_random_uuid(),
  challenge_hash  text not null unique,
  purpose         text not null check (purpose in ('registration', 'authentication')),
  org_id          uuid references organizations(id),
  user_id         uuid,
  session_id      uuid,
  ceremony_hash   text,
  created_at      timestamptz not null default now(),
  expires_at      timestamptz not null,
  check (session_id is not null or ceremony_hash is not null)
);
create index webauthn_challenges_expiry on webauthn_challenges (expires_at);
