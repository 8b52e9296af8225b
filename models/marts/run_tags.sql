{#- The long form of marts.runs' tag columns: SQL that should not depend on which tag
    columns exist (they follow the projects' catalogs). A view: it costs nothing to build
    and always agrees with the runs and their catalogs. -#}
{{ config(materialized='view') }}

with

runs as (

    select * from {{ ref('runs') }}

),

run_tags as (

    select * from {{ ref('int_runs__tags') }}

),

final as (

    select
        runs.entity,
        runs.project,
        runs.run_id,
        run_tags.tag,
        run_tags.tag_category,
        run_tags.tag_column

    from runs
    inner join run_tags
        on
            runs.entity = run_tags.entity
            and runs.project = run_tags.project
            and runs.run_id = run_tags.run_id
    where run_tags.is_catalogued

)

select * from final
