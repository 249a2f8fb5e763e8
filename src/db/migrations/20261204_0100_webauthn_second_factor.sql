-- WebAuthn challenges for two more ceremonies (issue 12): 'second_factor' — the passkey step of a password
-- sign-in, bound to its MFA challenge (ceremony_hash = hash of the MFA challenge id) and to the user;
-- 'reauthentication' — step-up of a signed-in session, bound to that session (session_id) and the user.
alter table webauthn_challenges drop constraint webauthn_challenges_purpose_check;
alter table webauthn_challenges add constraint webauthn_challenges_purpose_check
  check (purpose in ('registration', 'authentication', 'second_factor', 'reauthentication'));
