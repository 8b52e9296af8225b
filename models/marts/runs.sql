{#- Incremental (replace_runs): a build replaces the runs whose touched_by_load_id changed
    and removes those that left the analysis. Every column the analysis settings define
    (split, pretrain values, tag columns) follows the run's own project's settings; an
    edit of the settings rebuilds it whole (analysis_settings_changed). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='replace_runs',
        replace_runs={'of': 'int_runs__in_scope', 'where': 'is_analysed'},
        on_schema_change='fail',
        contract={'enforced': runs_contract_enforced()},
        meta={'analysis_settings': 'all'},
        post_hook="{{ record_analysis_settings() }}",
    )
}}

{%- set run_split_value = split_value(
    'analysed_runs.analysis_values', 'analysed_runs.entity', 'analysed_runs.project'
) %}

with

runs as (

    select * from {{ ref('int_runs__current') }}

),

in_scope as (

    select * from {{ ref('int_runs__in_scope') }}

),

pair_values as (

    select * from {{ ref('int_runs__column_pair_values') }}

),

-- The analysed runs to build, found on the narrow key columns before the wide rows are
-- read.
runs_to_build as (

    select
        in_scope.entity,
        in_scope.project,
        in_scope.run_id

    from in_scope
    {{ runs_not_built('in_scope') }}
    where in_scope.is_analysed

),

analysed_runs as (

    select runs.*
    from runs
    inner join runs_to_build
        on
            runs.entity = runs_to_build.entity
            and runs.project = runs_to_build.project
            and runs.run_id = runs_to_build.run_id

),

-- The pairs whose role is pretrain_steps or pretrain_compute in the run's project's
-- settings (the original analysis' two pairs), one row per run.
pretrain_values as (

    select
        pair_values.entity,
        pair_values.project,
        pair_values.run_id,
        max(
            case when pair_values.pair_role = 'pretrain_steps' then pair_values.config_integer end
        ) as pretrain_steps,
        max(
            case when pair_values.pair_role = 'pretrain_steps' then pair_values.summary_integer end
        ) as model_pretrain_steps,
        max(
            case
                when pair_values.pair_role = 'pretrain_compute' then pair_values.config_integer
            end
        ) as pretrain_compute,
        max(
            case
                when pair_values.pair_role = 'pretrain_compute' then pair_values.summary_integer
            end
        ) as model_pretrain_compute

    from pair_values
    inner join runs_to_build
        on
            pair_values.entity = runs_to_build.entity
            and pair_values.project = runs_to_build.project
            and pair_values.run_id = runs_to_build.run_id
    where pair_values.pair_role in ('pretrain_steps', 'pretrain_compute')
    group by
        pair_values.entity,
        pair_values.project,
        pair_values.run_id

),

final as (

    select
        analysed_runs.entity,
        analysed_runs.project,
        analysed_runs.run_id,
        analysed_runs.run_name,
        analysed_runs.experiment_group,
        analysed_runs.sweep_id,
        analysed_runs.state,
        analysed_runs.created_at,
        analysed_runs.heartbeat_at,
        analysed_runs.runtime_seconds,
        analysed_runs.timeout_seconds,
        analysed_runs.timeout_seconds is not null as has_timeout,
        {{ split_name('analysed_runs.entity', 'analysed_runs.project') }} as split_name,
        {{ run_split_value }} is not null as has_split_value,
        {{ split_group(run_split_value, 'analysed_runs.entity', 'analysed_runs.project') }}
            as split_group,
        pretrain_values.pretrain_steps,
        pretrain_values.model_pretrain_steps,
        pretrain_values.pretrain_compute,
        pretrain_values.model_pretrain_compute,
        analysed_runs.tags,
        {{ tag_flag_columns(
            'analysed_runs.tags', 'analysed_runs.entity', 'analysed_runs.project'
        ) }},
        analysed_runs.history_line_count,
        analysed_runs.last_load_id,
        analysed_runs.version_count,
        analysed_runs.touched_by_load_id

    from analysed_runs
    left join pretrain_values
        on
            analysed_runs.entity = pretrain_values.entity
            and analysed_runs.project = pretrain_values.project
            and analysed_runs.run_id = pretrain_values.run_id

)

select * from final
