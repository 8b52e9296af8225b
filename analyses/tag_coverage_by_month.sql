-- In the shell: .venv/bin/duckdb -readonly warehouse.duckdb < analyses/tag_coverage_by_month.sql
-- Share of runs with tags by creation month, at each load: the old downloader's view
-- (first load) against the full refresh.
select
    entity,
    project,
    load_number,
    as_of,
    created_month,
    runs,
    runs_with_tags,
    round(100 * share_with_tags, 1) as percent_with_tags
from marts.tag_coverage
order by entity, project, load_number, created_month
