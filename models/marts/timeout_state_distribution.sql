with

runs as (

    select * from {{ ref('runs') }}

),

grouped as (

    select
        entity,
        project,
        case when has_timeout then 'timeout' else 'no_timeout' end as timeout_group,
        state,
        count(*) as runs

    from runs
    group by
        entity,
        project,
        case when has_timeout then 'timeout' else 'no_timeout' end,
        state

),

final as (

    select
        entity,
        project,
        timeout_group,
        state,
        runs,
        cast(sum(runs) over (partition by entity, project, timeout_group) as bigint)
            as group_runs,
        cast(runs as double)
        / sum(runs) over (partition by entity, project, timeout_group) as share_of_group

    from grouped

)

select * from final
