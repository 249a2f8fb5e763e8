-- A group→role mapping (issue 13): the role a department grants to the people an identity provider puts
-- in it through SCIM (null: none). Only roles without privileged permissions may be named (the domain
-- checks it: a privileged role is granted by a person who re-authenticated, never by a group).
alter table departments
  add column scim_role text check (length(scim_role) between 1 and 64);

-- Whether a user's role was given by a group mapping ('group_mapping') or by a person ('manual'): leaving
-- the last mapped group takes a mapped role back, never one a person chose.
alter table users
  add column role_source text not null default 'manual' check (role_source in ('manual', 'group_mapping'));
