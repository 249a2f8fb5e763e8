-- Finished notices are pruned after a while (prune-notices): found by completion time, without a scan.
create index notices_done on notices (completed_at) where status = 'done';
