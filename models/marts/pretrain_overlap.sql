{#- Incremental (replace_runs), like marts.runs, whose runs it mirrors; rebuilt whole
    when the column pairs change (analysis_settings_changed). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_runs',
        replace_runs={'of': 'runs'},
        on_schema_change='fail',
        meta={'analysis_settings': 'pairs'},
        post_hook="{{ record_analysis_settings() }}",
    )
}}

with

runs as (

    select * from {{ ref('runs') }}

),

with_a_pair as (

    select runs.*
    from runs
    {{ runs_not_built('runs') }}
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
