{#- Incremental on DuckDB: the pre-hooks delete the tags of runs whose latest version came
    from a load this table has not seen (all rows if the tag catalog changed), and a build
    appends the tags of those runs. A table on Spark. -#}
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_rederived_run_rows('last_load_id') }}",
            "{{ delete_run_tags_if_catalog_changed() }}",
        ],
    )
}}

with

runs as (

    select * from {{ ref('int_runs__current') }}
    {% if is_incremental() %}
        where last_load_id in ({{ unseen_current_values('last_load_id') }})
    {% endif %}

),

catalog as (

    select * from {{ ref('int_tags__catalog') }}

),

run_tags as (

    select
        entity,
        project,
        run_id,
        last_load_id,
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
        catalog.tag is not null as is_catalogued,
        run_tags.last_load_id

    from run_tags
    left join catalog
        on run_tags.tag = catalog.tag

)

select * from final
