-- Ready for the shell: .venv/bin/duckdb -readonly warehouse.duckdb < analyses/timeout_state_mix.sql
-- How do runs with and without a time limit end up? (Original analysis: timed runs
-- finished 67.9 %, running 25.0 %; untimed finished 85.9 %.)
select
    entity,
    project,
    timeout_group,
    state,
    runs,
    group_runs,
    round(100 * share_of_group, 1) as percent_of_group
from marts.timeout_state_distribution
order by entity asc, project asc, timeout_group desc, runs desc
