{#- A table (its tests and ad-hoc queries read a table, not one unnest of every run per reader). -#}
{{ config(materialized='table') }}

with

runs as (

    select * from {{ ref('stg_wandb__runs') }}

),

catalog as (

    select * from {{ ref('int_tags__catalog') }}

),

run_tags as (

    select
        entity,
        project,
        run_id,
        {{ explode_list('tags') }} as tag

    from runs

),

final as (

    select
        run_tags.entity,
        run_tags.project,
        run_tags.run_id,
        run_tags.tag,
        catalog.tag_category,
        catalog.tag is not null as is_catalogued

    from run_tags
    left join catalog
        on run_tags.tag = catalog.tag

)

select * from final
