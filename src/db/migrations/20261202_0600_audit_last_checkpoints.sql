-- The last audit checkpoint signed for each organisation, kept beside the chain so that the hourly run
-- verifies only the events since then and skips a head that has not moved, also when the checkpoints go
-- to the log alone (PostgreSQL's default). Only a hint for the signer: what proves the chain is the signed
-- copies outside the database (`roster audit verify --checkpoints`), which this row cannot change.
create table audit_last_checkpoints (
  org_id     uuid primary key references organizations(id),
  seq        bigint not null,
  hash       text not null,
  checkpoint text not null,
  signed_at  timestamptz not null
);
