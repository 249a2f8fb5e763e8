-- Departments: an organisation's tree, its managers and user memberships (primary + secondary), with the
-- membership history that cost reports "as of a date" read. See docs/decisions/0003-department-hierarchy.md.

create table departments (
  id                    uuid primary key default gen_random_uuid(),
  org_id                uuid not null references organizations(id),
  name                  text not null check (char_length(name) between 1 and 200),
  code                  text check (code ~ '^[A-Z0-9_-]{1,32}$'),
  description           text check (char_length(description) <= 2000),
  parent_id             uuid references departments(id),
  cost_centre           text check (char_length(cost_centre) <= 64),
  -- null: inherit from the parent (resolved when reporting)
  monthly_cost_per_seat numeric(12, 2) check (monthly_cost_per_seat >= 0),
  -- materialised path: ancestor ids and own id, each followed by '/': '<root>/<child>/'.
  -- The subtree of d is `path LIKE d.path || '%'` (itself included).
  path                  text not null,
  depth                 int not null check (depth >= 0),
  archived_at           timestamptz,
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  version               int not null default 1,
  -- lets children reference (org_id, id), so a parent is always in the same organisation
  unique (org_id, id)
);
alter table departments
  add constraint departments_parent_same_org foreign key (org_id, parent_id) references departments (org_id, id);
create index departments_org_path on departments (org_id, path text_pattern_ops);
create index departments_parent on departments (org_id, parent_id);
create unique index departments_code_unique on departments (org_id, code)
  where code is not null and archived_at is null;

create table department_managers (
  org_id        uuid not null,
  department_id uuid not null,
  user_id       uuid not null references users(id),
  created_at    timestamptz not null default now(),
  primary key (department_id, user_id),
  foreign key (org_id, department_id) references departments (org_id, id)
);
create index department_managers_user on department_managers (org_id, user_id);

create table user_departments (
  org_id        uuid not null,
  user_id       uuid not null references users(id),
  department_id uuid not null,
  is_primary    boolean not null,
  primary key (user_id, department_id),
  foreign key (org_id, department_id) references departments (org_id, id)
);
create unique index user_departments_one_primary on user_departments (user_id) where is_primary;
create index user_departments_department on user_departments (org_id, department_id);

-- One row per membership interval; the open one has valid_to null. Written on every membership change.
create table user_department_history (
  id            uuid primary key default gen_random_uuid(),
  org_id        uuid not null,
  user_id       uuid not null,
  department_id uuid not null,
  is_primary    boolean not null,
  valid_from    timestamptz not null,
  valid_to      timestamptz,
  check (valid_to is null or valid_to >= valid_from)
);
create index user_department_history_user on user_department_history (org_id, user_id, valid_from);
create index user_department_history_department on user_department_history (org_id, department_id, valid_from);
