with

state_at_load as (

    select * from {{ ref('int_runs__state_at_load') }}

),

final as (

    select
        entity,
        project,
        load_id,
        load_number,
        as_of,
        created_month,
        count(*) as runs,
        count(case when has_tags then 1 end) as runs_with_tags,
        cast(count(case when has_tags then 1 end) as double) / count(*) as share_with_tags

    from state_at_load
    group by
        entity,
        project,
        load_id,
        load_number,
        as_of,
        created_month

)

select * from final
