-- A tag outside the catalog (the `tag_catalog` var) gets no tag_* column in marts.runs: a
-- typo or a new tag the catalog should learn.
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A run carries a tag outside the tag catalog: a typo, or a tag the catalog '
        ~ 'should learn.'}
) }}

with

run_tags as (

    select * from {{ ref('int_runs__tags') }}

),

runs as (

    -- The deletion flag, read from a table (not the runs view, which re-joins the listing).
    select * from {{ ref('int_runs__in_scope') }}
    where not is_deleted_upstream

),

final as (

    select
        run_tags.entity,
        run_tags.project,
        run_tags.run_id,
        run_tags.tag

    from run_tags
    inner join runs
        on
            run_tags.entity = runs.entity
            and run_tags.project = runs.project
            and run_tags.run_id = runs.run_id
    where not run_tags.is_catalogued

)

select * from final
