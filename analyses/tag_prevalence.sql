-- Ready for the shell: .venv/bin/duckdb -readonly warehouse.duckdb < analyses/tag_prevalence.sql
-- Which tags set timed runs apart from untimed ones? Largest differences first.
select
    entity,
    project,
    tag,
    tag_category,
    timeout_runs,
    round(100 * timeout_share, 1) as timeout_percent,
    no_timeout_runs,
    round(100 * no_timeout_share, 1) as no_timeout_percent,
    round(100 * share_difference, 1) as difference_points
from marts.timeout_tag_prevalence
order by entity asc, project asc, abs(share_difference) desc, catalog_order asc
