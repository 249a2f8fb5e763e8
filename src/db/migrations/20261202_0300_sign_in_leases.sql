-- Sign-in attempts in flight (issue 10, item 4). An attempt takes a lease on its account and its source
-- before the password hash is checked and gives it back after; a failure is counted only once it has
-- failed. The number of live leases is bounded by the failures an account or source still has before its
-- lockout, so a burst of concurrent guesses cannot all be tried before the first failure is written — and
-- no row lock is held while hashing. Leases are `{ "<lease id>": <expiry in epoch ms> }`; one whose holder
-- died expires on its own. Adding a column with a constant default rewrites nothing.
alter table users add column sign_in_leases jsonb not null default '{}'::jsonb;
alter table sign_in_throttle add column leases jsonb not null default '{}'::jsonb;
