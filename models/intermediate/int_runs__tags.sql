with

runs as (

    select * from {{ ref('int_runs__current') }}

),

catalog as (

    select * from {{ ref('int_tags__catalog') }}

),

run_tags as (

    select
        entity,
        project,
        run_id,
        {{ explode_list('tags') }} as tag,
        {{ settings_scope('entity', 'project') }} as settings_scope

    from runs

),

final as (

    select
        run_tags.entity,
        run_tags.project,
        run_tags.run_id,
        run_tags.tag,
        catalog.tag_category,
        catalog.tag_column,
        catalog.tag is not null as is_catalogued

    from run_tags
    left join catalog
        on
            run_tags.settings_scope = catalog.settings_scope
            and run_tags.tag = catalog.tag

)

select * from final
