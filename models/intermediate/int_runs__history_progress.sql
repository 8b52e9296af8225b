with

history as (

    select * from {{ ref('stg_wandb__history') }}

),

final as (

    select
        entity,
        project,
        run_id,
        count(*) as history_rows,
        min(step) as first_step,
        max(step) as last_step,
        min(logged_at) as first_logged_at,
        max(logged_at) as last_logged_at,
        max_by(runtime_seconds, step) as runtime_seconds_history,
        coalesce(
            max_by(runtime_seconds, step) - min_by(runtime_seconds, step),
            {{ seconds_between('min(logged_at)', 'max(logged_at)') }}
        ) as training_seconds

    from history
    group by
        entity,
        project,
        run_id

)

select * from final
