{#- Incremental on DuckDB: the pre-hooks delete the tags of runs whose latest version is new
    (all rows if the tag catalog changed), and a build appends the tags of runs whose latest
    version came from a load this table has not seen. A table on Spark. -#}
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook=[
            "{{ delete_outdated_run_rows() }}",
            "{{ delete_run_tags_if_catalog_changed() }}",
        ],
    )
}}

with

runs as (

    select * from {{ ref('int_runs__current') }}
    {% if is_incremental() %}
        where last_load_id not in (
            select distinct previous.last_load_id from {{ this }} as previous
        )
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
