with

sweeps as (

    select * from {{ ref('int_sweeps__current') }}

),

sweep_runs as (

    select * from {{ ref('int_sweeps__run_metrics') }}

),

runs_by_state as (

    select
        entity,
        project,
        sweep_id,
        count(*) as runs,
        {% for state in var('wandb_run_states') -%}
            count(case when state = '{{ state }}' then 1 end) as {{ state }}_runs,
        {% endfor -%}
        count(metric_value) as runs_with_metric

    from sweep_runs
    group by
        entity,
        project,
        sweep_id

),

-- The best run by the sweep's own metric and goal; a tie goes to the run created first.
ranked_runs as (

    select
        entity,
        project,
        sweep_id,
        run_id,
        run_name,
        metric_value,
        row_number() over (
            partition by entity, project, sweep_id
            order by
                case when metric_goal = 'maximize' then -metric_value else metric_value end,
                created_at nulls last,
                run_id
        ) as metric_rank

    from sweep_runs
    where metric_value is not null

),

best_runs as (

    select * from ranked_runs
    where metric_rank = 1

),

final as (

    select
        sweeps.entity,
        sweeps.project,
        sweeps.sweep_id,
        sweeps.sweep_name,
        sweeps.sweep_method,
        sweeps.sweep_state,
        sweeps.metric_name,
        sweeps.metric_goal,
        sweeps.run_count,
        sweeps.run_count_expected,
        coalesce(runs_by_state.runs, 0) as runs,
        {% for state in var('wandb_run_states') -%}
            coalesce(runs_by_state.{{ state }}_runs, 0) as {{ state }}_runs,
        {% endfor -%}
        coalesce(runs_by_state.runs_with_metric, 0) as runs_with_metric,
        best_runs.run_id as best_run_id,
        best_runs.run_name as best_run_name,
        best_runs.metric_value as best_metric_value,
        sweeps.created_at,
        sweeps.updated_at,
        sweeps.last_fetched_at

    from sweeps
    left join runs_by_state
        on
            sweeps.entity = runs_by_state.entity
            and sweeps.project = runs_by_state.project
            and sweeps.sweep_id = runs_by_state.sweep_id
    left join best_runs
        on
            sweeps.entity = best_runs.entity
            and sweeps.project = best_runs.project
            and sweeps.sweep_id = best_runs.sweep_id

)

select * from final
