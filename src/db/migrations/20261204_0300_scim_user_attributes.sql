-- SCIM 2.0 User attributes Roster had no column for (docs/scim-attributes.md): the identity provider's own
-- id for the person (externalId), the name parts, and the enterprise extension (RFC 7643 §4.3). All are
-- optional; a user created in the console has none of them.

alter table users
  add column external_id     text check (length(external_id) between 1 and 256),
  add column given_name      text check (length(given_name) <= 200),
  add column family_name     text check (length(family_name) <= 200),
  add column employee_number text check (length(employee_number) <= 200),
  add column cost_center     text check (length(cost_center) <= 200),
  add column organization_name text check (length(organization_name) <= 200),
  add column division        text check (length(division) <= 200),
  -- the enterprise "department" as the identity provider names it (free text), not one of Roster's departments
  add column hr_department   text check (length(hr_department) <= 200),
  add column manager_id      uuid;

-- A manager is a user of the same organisation.
alter table users
  add constraint users_manager_same_org foreign key (org_id, manager_id) references users (org_id, id);

-- externalId is caseExact and unique within an organisation (RFC 7643 §3.1: the provisioning client's id);
-- `externalId eq "..."` is the look-up an identity provider runs before every create, so it is an index
-- probe. (`userName eq` uses the unique (org_id, email_normalized) of the core schema.)
create unique index users_org_external_id on users (org_id, external_id) where external_id is not null;
-- Who reports to a manager (manager.value eq "..."), and the foreign key's check when a manager leaves.
create index users_org_manager on users (org_id, manager_id) where manager_id is not null;
