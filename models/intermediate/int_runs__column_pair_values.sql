{#- Incremental: a build re-derives the runs whose touched_by_load_id this table does not
    hold yet (a new latest version, or an older export loaded late that changes the
    payload a light latest version carries) and replaces them by run. Every synced run
    has a row per pair of its project's settings, so nothing else needs deleting. Built
    from other column pairs, it is rebuilt whole (analysis_settings_changed). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['entity', 'project', 'run_id'],
        on_schema_change='fail',
        meta={'analysis_settings': 'pairs'},
        post_hook="{{ record_analysis_settings() }}",
    )
}}

with

runs as (

    select * from {{ ref('int_runs__current') }}
    {% if is_incremental() %}
        where touched_by_load_id in (
            {{ values_not_built(ref('int_runs__current'), 'touched_by_load_id') }}
        )
    {% endif %}

),

pairs as (

    select * from {{ ref('int_column_pairs__configured') }}

),

pair_values as (

    select
        runs.entity,
        runs.project,
        runs.run_id,
        pairs.column_pair,
        pairs.config_path,
        pairs.summary_path,
        pairs.compare_as,
        pairs.pair_role,
        {{ map_value('runs.analysis_values', 'pairs.config_key') }} as config_value,
        {{ map_value('runs.analysis_values', 'pairs.summary_key') }} as summary_value,
        runs.last_load_id,
        runs.version_count,
        runs.touched_by_load_id

    from runs
    inner join pairs
        on pairs.settings_scope = {{ settings_scope('runs.entity', 'runs.project') }}

),

typed as (

    select
        *,
        {{ exact_integer('config_value') }} as config_integer,
        {{ exact_integer('summary_value') }} as summary_integer,
        {{ safe_double('config_value') }} as config_number,
        {{ safe_double('summary_value') }} as summary_number

    from pair_values

),

final as (

    select
        entity,
        project,
        run_id,
        column_pair,
        config_path,
        summary_path,
        compare_as,
        pair_role,
        config_value,
        summary_value,
        config_integer,
        summary_integer,
        config_number,
        summary_number,
        -- Null unless both sides hold a value of the pair's kind.
        case compare_as
            when 'integer' then config_integer = summary_integer
            when 'number' then config_number = summary_number
            else config_value = summary_value
        end as is_match,
        last_load_id,
        version_count,
        touched_by_load_id

    from typed

)

select * from final
