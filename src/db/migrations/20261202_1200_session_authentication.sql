-- How each session was authenticated, as RFC 8176 / OIDC name it: the methods used (amr: 'pwd', 'otp', 'hwk',
-- 'swk', 'user', …), the assurance level reached (acr: NIST SP 800-63B AAL, 'aal1' or 'aal2') and when the person
-- last proved who they are (auth_time: the sign-in, later moved by a re-authentication without a new session).
-- Existing sessions were all opened by a password (or by setting one while accepting an invitation); the
-- defaults serve rows written by seeding, the product always names all three (create-session.ts).
alter table sessions
  add column amr text[] not null default '{pwd}',
  add column acr text not null default 'aal1',
  add column auth_time timestamptz;
update sessions set auth_time = created_at where auth_time is null;
alter table sessions alter column auth_time set not null, alter column auth_time set default now();
alter table sessions add constraint sessions_acr_known check (acr in ('aal1', 'aal2', 'aal3'));
