-- Notices (issue 10 item 0): what administrators hear about a change is written in the change's transaction
-- as ONE row, whatever the audience's size; the fan-out to the audience runs after commit, in bounded
-- batches of their own transactions (src/domain/notifications/fan-out-notices.ts). A process that dies
-- mid-way loses nothing: the pending row and its cursor stay, and the next worker resumes from them.

create table notices (
  id               uuid primary key default gen_random_uuid(),
  org_id           uuid not null references organizations(id),
  kind             text not null,
  -- names the change for good (e.g. 'user:<id>:v<version>'); with the recipient and kind it makes each
  -- message's dedupe key, so a re-run batch or a retried command never repeats a message
  cause            text not null,
  affected_user_id uuid not null,
  actor_user_id    uuid,
  -- the message's facts frozen at the event (names, reason, roles, dates as ISO text); rendered per
  -- recipient's locale and time zone when fanned out
  params           jsonb not null,
  -- who is told, frozen at the event: {"responsible": bool, "roles": [...], "userIds": [...]}
  audience         jsonb not null,
  -- where the fan-out stands; null before its first batch
  cursor           jsonb,
  status           text not null default 'pending' check (status in ('pending', 'done')),
  recipients       int not null default 0,
  batches          int not null default 0,
  -- a batch that failed (a bug, the database refusing) is retried with backoff, out of the others' way
  attempts         int not null default 0,
  next_attempt_at  timestamptz not null default now(),
  last_error       text,
  created_at       timestamptz not null default now(),
  completed_at     timestamptz,
  unique (org_id, cause, kind)
);
create index notices_pending on notices (next_attempt_at) where status = 'pending';

-- Email digest per administrator and window: the first notice of a window is emailed at once, the rest
-- only counted here and sent as one digest email when the window is over. In-app notices are never held.
create table notice_digests (
  org_id       uuid not null,
  user_id      uuid not null,
  window_start timestamptz not null,
  notices      int not null default 0,
  -- when the digest email was queued; reset when a late notice joins an already flushed window
  flushed_at   timestamptz,
  primary key (org_id, user_id, window_start),
  foreign key (org_id, user_id) references users (org_id, id)
);
create index notice_digests_due on notice_digests (window_start) where flushed_at is null and notices > 1;
-- the flush prunes counters of windows over for a day
create index notice_digests_window on notice_digests (window_start);
