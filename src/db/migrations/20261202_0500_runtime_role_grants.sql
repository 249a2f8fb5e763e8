-- A runtime role apart from the schema's owner (docs/operations/postgresql.md). The owner (who runs the
-- migrations) owns every table, so only it can ALTER TABLE audit_events … DISABLE TRIGGER; the runtime role
-- gets ordinary DML everywhere except the audit trail, where it may only INSERT and SELECT.
--
-- `roster migrate` calls this function after every run (src/db/migrate.ts) when a runtime role is
-- configured, so tables that later migrations add are granted too without each migration having to
-- remember; the default privileges below cover tables an operator creates by hand as the owner.
create or replace function roster_grant_runtime_role(runtime_role text, job_schema text)
returns void language plpgsql as $$
declare
  app_schema text := current_schema();
  t record;
begin
  if runtime_role = current_user then
    raise exception 'the runtime role % must not be the role that owns the schema', runtime_role;
  end if;
  execute format('grant usage on schema %I to %I', app_schema, runtime_role);
  execute format('grant select, insert, update, delete on all tables in schema %I to %I', app_schema, runtime_role);
  execute format('grant usage, select, update on all sequences in schema %I to %I', app_schema, runtime_role);
  execute format('grant execute on all functions in schema %I to %I', app_schema, runtime_role);
  -- The audit trail: append and read, nothing else (the trigger refuses UPDATE/DELETE/TRUNCATE as well,
  -- but only the owner could switch that trigger off, and the runtime role is not the owner).
  -- Its partitions too, should the table ever be partitioned (by month, say): each is a table of its own.
  for t in select relid::regclass::text as rel from pg_partition_tree('audit_events'::regclass) loop
    execute format('revoke all on %s from %I', t.rel, runtime_role);
    execute format('grant select, insert on %s to %I', t.rel, runtime_role);
  end loop;
  execute format(
    'alter default privileges in schema %I grant select, insert, update, delete on tables to %I',
    app_schema, runtime_role);
  execute format(
    'alter default privileges in schema %I grant usage, select, update on sequences to %I',
    app_schema, runtime_role);

  -- The job queue (pg-boss) creates its own tables and partitions at run time (a queue is a partition),
  -- so its schema belongs to the runtime role: it holds jobs, never the audit trail.
  if job_schema is not null then
    if not exists (select 1 from pg_namespace where nspname = job_schema) then
      execute format('create schema %I authorization %I', job_schema, runtime_role);
    else
      execute format('alter schema %I owner to %I', job_schema, runtime_role);
      for t in
        select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = job_schema and c.relkind in ('r', 'p', 'S', 'v')
          and pg_get_userbyid(c.relowner) = current_user
      loop
        execute format('alter %s %I.%I owner to %I',
          case t.relkind when 'S' then 'sequence' when 'v' then 'view' else 'table' end,
          job_schema, t.relname, runtime_role);
      end loop;
      for t in
        select ty.typname from pg_type ty join pg_namespace n on n.oid = ty.typnamespace
        where n.nspname = job_schema and ty.typtype = 'e' and pg_get_userbyid(ty.typowner) = current_user
      loop
        execute format('alter type %I.%I owner to %I', job_schema, t.typname, runtime_role);
      end loop;
      for t in
        select p.oid::regprocedure::text as sig from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = job_schema and pg_get_userbyid(p.proowner) = current_user
      loop
        execute format('alter function %s owner to %I', t.sig, runtime_role);
      end loop;
    end if;
  end if;
end;
$$;
