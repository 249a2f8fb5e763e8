-- Notifications: an outbox of rendered email messages written in the same transaction as the change that
-- causes them, delivered after commit by the worker; in-app notifications; the development mailbox.

create table outbox_messages (
  id               uuid primary key default gen_random_uuid(),
  org_id           uuid not null references organizations(id),
  -- what caused it, so one event never yields the same message twice: e.g. 'audit:<event id>:<recipient>'
  dedupe_key       text not null,
  kind             text not null,
  recipient_user_id uuid,
  recipient_email  text not null,
  subject          text not null,
  text_body        text not null,
  html_body        text not null,
  -- stable across retries: a resend after a crash carries the same Message-ID
  message_id       text not null unique,
  status           text not null default 'queued'
                   check (status in ('queued', 'sending', 'sent', 'failed', 'dead')),
  attempts         int not null default 0,
  next_attempt_at  timestamptz not null default now(),
  -- while 'sending', another worker may take the message over after this time (the sender died)
  lease_until      timestamptz,
  last_error       text,
  created_at       timestamptz not null default now(),
  sent_at          timestamptz,
  unique (org_id, dedupe_key)
);
create index outbox_due on outbox_messages (next_attempt_at) where status in ('queued', 'failed');
create index outbox_leased on outbox_messages (lease_until) where status = 'sending';
create index outbox_org_created on outbox_messages (org_id, created_at desc, id);

create table dev_mailbox (
  id           uuid primary key default gen_random_uuid(),
  org_id       uuid not null,
  message_id   text not null unique,
  recipient    text not null,
  subject      text not null,
  text_body    text not null,
  html_body    text not null,
  received_at  timestamptz not null default now()
);
create index dev_mailbox_org on dev_mailbox (org_id, received_at desc);

create table notifications (
  id           uuid primary key default gen_random_uuid(),
  org_id       uuid not null references organizations(id),
  user_id      uuid not null,
  dedupe_key   text not null,
  kind         text not null,
  title        text not null,
  body         text not null,
  data         jsonb not null default '{}'::jsonb,
  created_at   timestamptz not null default now(),
  read_at      timestamptz,
  foreign key (org_id, user_id) references users (org_id, id),
  unique (org_id, user_id, dedupe_key)
);
create index notifications_user on notifications (org_id, user_id, created_at desc, id);
create index notifications_unread on notifications (org_id, user_id) where read_at is null;

-- Per user: which optional notices they do not want (security notices are mandatory and ignore this).
create table notification_opt_outs (
  org_id   uuid not null,
  user_id  uuid not null,
  kind     text not null,
  primary key (org_id, user_id, kind),
  foreign key (org_id, user_id) references users (org_id, id)
);
