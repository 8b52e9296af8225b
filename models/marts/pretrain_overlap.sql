{#- Incremental on DuckDB, like marts.runs: the pre-hook deletes the runs a load this table
    has not seen touched and those that left the analysis, and a build appends the runs
    with a pair it lacks. A table on Spark. -#}
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='append',
        on_schema_change='fail',
        pre_hook="{{ delete_rederived_run_rows('touched_by_load_id', analysed_only=true) }}",
    )
}}

-- depends_on: {{ ref('int_runs__current') }}
-- depends_on: {{ ref('int_runs__in_scope') }}

with

runs as (

    select * from {{ ref('runs') }}

),

with_a_pair as (

    select runs.*
    from runs
    {{ anti_join_runs_built('runs') }}
    where
        (runs.pretrain_steps is not null and runs.model_pretrain_steps is not null)
        or (runs.pretrain_compute is not null and runs.model_pretrain_compute is not null)

),

final as (

    select
        entity,
        project,
        run_id,
        run_name,
        experiment_group,
        state,
        created_at,
        pretrain_steps,
        model_pretrain_steps,
        pretrain_compute,
        model_pretrain_compute,
        -- Exact comparison of DECIMAL(38,0); null when the run lacks one side of the pair.
        pretrain_steps = model_pretrain_steps as steps_match,
        pretrain_compute = model_pretrain_compute as compute_match,
        cast(model_pretrain_steps as double)
        / nullif(cast(pretrain_steps as double), 0) as steps_ratio,
        cast(model_pretrain_compute as double)
        / nullif(cast(pretrain_compute as double), 0) as compute_ratio,
        last_load_id,
        version_count,
        touched_by_load_id

    from with_a_pair

)

select * from final
