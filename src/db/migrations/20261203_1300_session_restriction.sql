-- A session may be restricted to one purpose. 'mfa_enrolment': the organisation requires a second factor of
-- this person, their grace period is over and they have none — the session may enrol a factor (and sign
-- out) and nothing else, until an enrolment lifts the restriction from their sessions (mfa-policy.ts).
alter table sessions add column restriction text;
alter table sessions add constraint sessions_restriction_known check (restriction in ('mfa_enrolment'));
