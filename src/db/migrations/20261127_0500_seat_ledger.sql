-- Seat counts for the cost report that cost O(departments), not O(users) (docs/decisions/0005).
--
-- A seat is a user's (primary department, status) with status active, suspended or invited. Every change
-- of a seat is an event in `seat_ledger`: -1 for the pair a user leaves, +1 for the pair they enter, at the
-- instant of the change (the same instant the history tables record). Seats at T = sum of events at <= T.
-- `seat_checkpoints` holds those sums at chosen instants, so a report reads one checkpoint plus the events
-- between it and T (the scheduled task `checkpoint-seats` keeps them recent).
--
-- The ledger is written by a trigger on users, so no path that changes a status or a primary department can
-- miss it (like user_status_history). `rebuild_seat_ledger` recomputes an organisation's ledger from the
-- two history tables (the definition) and is what this migration runs for existing data.

-- When the primary department last changed (set by replaceMemberships): the instant of a move's events.
alter table users add column primary_department_changed_at timestamptz;

create table seat_ledger (
  org_id        uuid not null,
  department_id uuid not null,
  status        text not null,
  at            timestamptz not null,
  seats         integer not null
);
create index seat_ledger_org_at on seat_ledger (org_id, at);

create table seat_checkpoints (
  org_id        uuid not null,
  at            timestamptz not null,
  department_id uuid not null,
  status        text not null,
  seats         integer not null,
  primary key (org_id, at, department_id, status)
);

create function users_record_seat_change() returns trigger language plpgsql as $$
declare
  changed_at timestamptz;
begin
  if tg_op in ('UPDATE', 'DELETE') then
    changed_at := case
      when tg_op = 'DELETE' then now()
      when new.status is distinct from old.status then new.status_changed_at
      else coalesce(new.primary_department_changed_at, now())
    end;
    if old.primary_department_id is not null and old.status in ('active', 'suspended', 'invited') then
      insert into seat_ledger (org_id, department_id, status, at, seats)
        values (old.org_id, old.primary_department_id, old.status, changed_at, -1);
    end if;
    if tg_op = 'DELETE' then
      return old;
    end if;
  else
    changed_at := coalesce(new.primary_department_changed_at, new.status_changed_at);
  end if;
  if new.primary_department_id is not null and new.status in ('active', 'suspended', 'invited') then
    insert into seat_ledger (org_id, department_id, status, at, seats)
      values (new.org_id, new.primary_department_id, new.status, changed_at, 1);
  end if;
  return new;
end $$;

-- WHEN clauses keep rows that change no seat (most inserts, every other update) out of PL/pgSQL.
create trigger users_seat_ledger_insert
  after insert on users
  for each row when (new.primary_department_id is not null)
  execute function users_record_seat_change();
create trigger users_seat_ledger_update
  after update of status, primary_department_id on users
  for each row when (old.status is distinct from new.status
                     or old.primary_department_id is distinct from new.primary_department_id)
  execute function users_record_seat_change();
create trigger users_seat_ledger_delete
  after delete on users
  for each row when (old.primary_department_id is not null)
  execute function users_record_seat_change();

-- The definition, from the histories: each overlap of a status interval (seat statuses) with a primary
-- membership interval is a seat from the later start to the earlier end (least() ignores a null end).
-- Replaces the organisation's ledger and checkpoints, and checkpoints the result at `p_at`.
create function rebuild_seat_ledger(p_org uuid, p_at timestamptz) returns void language sql as $$
  delete from seat_checkpoints where org_id = p_org;
  delete from seat_ledger where org_id = p_org;
  insert into seat_ledger (org_id, department_id, status, at, seats)
  with combined as (
    select p.department_id, s.status,
           greatest(s.valid_from, p.valid_from) as starts,
           least(s.valid_to, p.valid_to) as ends
    from user_status_history s
    join user_department_history p on p.user_id = s.user_id and p.org_id = s.org_id and p.is_primary
    where s.org_id = p_org
      and s.status in ('active', 'suspended', 'invited')
      and s.valid_from < coalesce(p.valid_to, 'infinity')
      and p.valid_from < coalesce(s.valid_to, 'infinity')
  ), events as (
    select department_id, status, starts as at, 1 as seats from combined
    union all
    select department_id, status, ends, -1 from combined where ends is not null
  )
  select p_org, department_id, status, at, sum(seats)::int
  from events group by department_id, status, at having sum(seats) <> 0;
  insert into seat_checkpoints (org_id, at, department_id, status, seats)
  select p_org, p_at, department_id, status, sum(seats)::int
  from seat_ledger where org_id = p_org and at <= p_at
  group by department_id, status having sum(seats) <> 0;
$$;

select rebuild_seat_ledger(id, now()) from organizations;
