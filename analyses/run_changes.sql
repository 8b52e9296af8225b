-- Ready for the shell: .venv/bin/duckdb -readonly warehouse.duckdb < analyses/run_changes.sql
-- What changed between loads: tags added after a run finished, state transitions.
select
    entity,
    project,
    field,
    old_value,
    new_value,
    count(*) as runs,
    min(changed_at) as first_seen,
    max(changed_at) as last_seen
from marts.run_changes
group by entity, project, field, old_value, new_value
order by runs desc, field asc, new_value asc
