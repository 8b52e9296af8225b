with

sweeps as (

    select * from {{ ref('stg_wandb__sweeps') }}

),

ranked as (

    select
        *,
        row_number() over sweep_fetches as recency,
        count(*) over sweep_versions as version_count,
        min(fetched_at) over sweep_versions as first_seen_at

    from sweeps
    window
        sweep_fetches as (
            partition by entity, project, sweep_id
            order by fetched_at desc, load_id desc
        ),
        sweep_versions as (partition by entity, project, sweep_id)

),

final as (

    select
        entity,
        project,
        sweep_id,
        sweep_name,
        sweep_method,
        sweep_state,
        sweep_description,
        metric_name,
        -- W&B optimises a metric without a goal downwards.
        case
            when metric_name is not null then coalesce(metric_goal, 'minimize')
        end as metric_goal,
        run_count,
        run_count_expected,
        best_loss,
        created_at,
        updated_at,
        config,
        first_seen_at,
        fetched_at as last_fetched_at,
        cast(version_count as {{ dbt.type_bigint() }}) as version_count,
        load_id as last_load_id

    from ranked
    where recency = 1

)

select * from final
