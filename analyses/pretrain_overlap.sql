-- Ready for the shell: .venv/bin/duckdb -readonly warehouse.duckdb < analyses/pretrain_overlap.sql
-- Do config pretrain values match what the checkpoint reports? (Original analysis:
-- 21 shared rows, 19 matching, for both pairs.) Then the divergent runs themselves.
select
    entity,
    project,
    column_pair,
    shared_rows,
    matching_rows,
    divergent_rows,
    round(match_rate, 3) as match_rate
from marts.pretrain_overlap_summary
order by entity asc, project asc, column_pair desc;

select
    run_name,
    experiment_group,
    state,
    created_at,
    pretrain_steps,
    model_pretrain_steps,
    pretrain_compute,
    model_pretrain_compute,
    round(steps_ratio, 3) as steps_ratio
from marts.pretrain_overlap
where not steps_match or not compute_match
order by created_at
