{#- The CTEs that turn runs' latest versions into runs with their deletion flag, shared by
    stg_wandb__runs (every run) and the incremental int_runs__current (the runs a build
    re-derives). `latest_versions`, `loads` and `listings` name CTEs of the calling model
    (one latest version per run, stg_wandb__loads, stg_wandb__listings); `columns` are the
    version columns to keep. Renders three CTEs, each followed by a comma: latest_complete_loads,
    latest_listings and judged_runs, which adds is_deleted_upstream, version_count,
    last_load_id, touched_by_load_id and listing_load_id.

    The flag comes from left joins on the listing ledger (at most one complete load per
    project, one listing row per run), which add columns and never rows. A run fetched
    after that listing (by a later partial load) is not judged by it. Plain joins, not
    EXISTS subqueries: they let a reader scan only the columns it needs (a correlated EXISTS
    made DuckDB read the config and summary JSON for a key-only test, 10x slower at a
    million runs). -#}
{% macro runs_judged_by_listings(latest_versions, loads, listings, columns) -%}

-- The newest complete listing of each project says which runs still exist upstream.
latest_complete_loads as (

    select * from {{ loads }}
    where is_latest_complete_listing

),

-- The runs that newest complete listing held (one listing per project).
latest_listings as (

    select
        {{ listings }}.entity,
        {{ listings }}.project,
        {{ listings }}.run_id,
        true as is_listed

    from {{ listings }}
    inner join latest_complete_loads
        on {{ listings }}.load_id = latest_complete_loads.load_id

),

judged_runs as (

    select
        {%- for column in columns %}
        {{ latest_versions }}.{{ column }},
        {%- endfor %}
        coalesce(
            latest_complete_loads.snapshot_at >= {{ latest_versions }}.last_fetched_at
            and latest_listings.is_listed is null,
            false
        ) as is_deleted_upstream,
        {{ latest_versions }}.first_seen_at,
        {{ latest_versions }}.last_fetched_at,
        {{ latest_versions }}.version_number as version_count,
        {{ latest_versions }}.load_id as last_load_id,
        {{ latest_versions }}.touched_by_load_id,
        latest_complete_loads.load_id as listing_load_id

    from {{ latest_versions }}
    left join latest_complete_loads
        on
            {{ latest_versions }}.entity = latest_complete_loads.entity
            and {{ latest_versions }}.project = latest_complete_loads.project
    left join latest_listings
        on
            {{ latest_versions }}.entity = latest_listings.entity
            and {{ latest_versions }}.project = latest_listings.project
            and {{ latest_versions }}.run_id = latest_listings.run_id

),

{%- endmacro %}
