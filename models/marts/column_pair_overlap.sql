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

pair_values as (

    select * from {{ ref('int_runs__column_pair_values') }}

),

runs_to_build as (

    select
        runs.entity,
        runs.project,
        runs.run_id,
        runs.run_name,
        runs.experiment_group,
        runs.state,
        runs.created_at,
        runs.touched_by_load_id

    from runs
    {{ runs_not_built('runs') }}

),

final as (

    select
        runs_to_build.entity,
        runs_to_build.project,
        runs_to_build.run_id,
        pair_values.column_pair,
        runs_to_build.run_name,
        runs_to_build.experiment_group,
        runs_to_build.state,
        runs_to_build.created_at,
        pair_values.config_path,
        pair_values.summary_path,
        pair_values.compare_as,
        pair_values.pair_role,
        pair_values.config_value,
        pair_values.summary_value,
        pair_values.config_integer,
        pair_values.summary_integer,
        pair_values.config_number,
        pair_values.summary_number,
        pair_values.is_match,
        pair_values.summary_number
        / nullif(pair_values.config_number, 0) as summary_to_config_ratio,
        runs_to_build.touched_by_load_id

    from runs_to_build
    inner join pair_values
        on
            runs_to_build.entity = pair_values.entity
            and runs_to_build.project = pair_values.project
            and runs_to_build.run_id = pair_values.run_id
    -- Both sides hold a value of the pair's kind.
    where pair_values.is_match is not null

)

select * from final
