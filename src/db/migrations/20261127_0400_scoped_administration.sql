-- Departments part 2: scoped administration, department permissions and the cost report.
-- See docs/decisions/0004-scoped-administration.md.

-- Platform permissions a department adds for its members (and the members of its subtree).
alter table departments add column added_permissions text[] not null default '{}';
-- What the department's managers may do over its subtree; null: the default set (src/authz/access.ts).
alter table departments add column manager_permissions text[];

-- The user's primary department, kept by replaceMemberships in the same statement batch as
-- user_departments, so the scoped check and the cost report read it from the users row itself.
alter table users add column primary_department_id uuid;
alter table users
  add constraint users_primary_department_same_org
  foreign key (org_id, primary_department_id) references departments (org_id, id);
update users u set primary_department_id = ud.department_id
  from user_departments ud where ud.user_id = u.id and ud.is_primary;
create index users_org_primary_department on users (org_id, primary_department_id, status);

-- One row per status interval of a user (valid_to null while current), for reports "as of a date".
-- Written by a trigger so that no path that changes a status (commands, seeding, bootstrap) can miss it.
create table user_status_history (
  org_id     uuid not null,
  user_id    uuid not null references users(id),
  status     text not null,
  valid_from timestamptz not null,
  valid_to   timestamptz,
  check (valid_to is null or valid_to >= valid_from)
);
create index user_status_history_user on user_status_history (user_id, valid_from);
create index user_status_history_org on user_status_history (org_id, valid_from);
-- "who changed after date X" (the cost report as of X corrects today's seats by those users only)
create index user_status_history_closed on user_status_history (org_id, valid_to) where valid_to is not null;
create index user_department_history_org_from on user_department_history (org_id, valid_from) where is_primary;
create index user_department_history_org_to on user_department_history (org_id, valid_to)
  where is_primary and valid_to is not null;

insert into user_status_history (org_id, user_id, status, valid_from)
  select org_id, id, status, status_changed_at from users;

create function users_record_status_history() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' then
    if new.status is not distinct from old.status then
      return new;
    end if;
    update user_status_history set valid_to = greatest(valid_from, new.status_changed_at)
      where user_id = new.id and valid_to is null;
  end if;
  insert into user_status_history (org_id, user_id, status, valid_from)
    values (new.org_id, new.id, new.status, new.status_changed_at);
  return new;
end $$;

create trigger users_status_history
  after insert or update of status on users
  for each row execute function users_record_status_history();
