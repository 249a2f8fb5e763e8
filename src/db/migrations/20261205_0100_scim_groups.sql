-- SCIM 2.0 Groups are Roster's departments (docs/scim-attributes.md). The identity provider's own id for a
-- group (externalId, caseExact) is unique among an organisation's live departments: `externalId eq` is the
-- look-up a client runs before it creates a group.
alter table departments
  add column external_id text check (length(external_id) between 1 and 256);
create unique index departments_org_external_id on departments (org_id, external_id)
  where external_id is not null and archived_at is null;

-- A group's members in user id order (the members of a GET, and the keyset batches of a PATCH that adds or
-- removes thousands): the old index gave the department's rows in no useful order.
create index user_departments_department_member on user_departments (org_id, department_id, user_id);
drop index user_departments_department;
