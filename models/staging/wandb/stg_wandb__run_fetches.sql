{#- The one model that parses the run record's JSON: every field the models use is read in
    a single pass over each record. It is kept as a table that grows by append, so a
    record is parsed once in its life: an incremental build parses only the raw rows of
    loads this table does not hold yet. A change of the values the analysis settings read
    (analysis_paths) rebuilds it whole (analysis_settings_changed). -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        meta={'analysis_settings': 'paths'},
        post_hook="{{ record_analysis_settings() }}",
    )
}}

{#- Each column and the JSONPath it is read from: the one list to edit to read a new
    field. Typing happens below, by name. The values the analysis settings name (every
    project's, dbt_project.yml) are read in the same pass, into analysis_values. -#}
{%- set record_fields = {
    'run_name': '$.displayName',
    'experiment_group': '$.group',
    'sweep_id': '$.sweepName',
    'job_type': '$.jobType',
    'state': '$.state',
    'created_at': '$.createdAt',
    'heartbeat_at': '$.heartbeatAt',
    'history_line_count': '$.historyLineCount',
    'tags': '$.tags',
    'config': '$.config',
    'summary': '$.summaryMetrics',
    'timeout_text': '$.config.timeout.value',
    'runtime_text': '$.summaryMetrics._runtime',
} -%}
{%- set analysis_fields = analysis_paths() -%}
{#- On DuckDB the rows of loads no published build read are in the raw store's live
    table, the rest in Parquet segments: an incremental build reads the live table. -#}
{%- set new_runs = source('wandb_live', 'wandb_runs') if target.type == 'duckdb'
    else source('wandb', 'wandb_runs') -%}

with

{% if is_incremental() %}

    -- New rows are found from the key columns alone, then their records are read by row
    -- id: a filter on the row id skips the stored JSON of every other load, which a
    -- filter on load_id cannot (a row group holds rows of many loads).
    source_keys as (

        select
            {{ raw_row_id() }} as raw_rowid,
            load_id

        from {{ new_runs }}

    ),

    new_rows as (

        select source_keys.raw_rowid
        from source_keys
        where source_keys.load_id in ({{ values_not_built('source_keys', 'load_id') }})

    ),

{% endif %}

source as (

    {% if is_incremental() %}
        select * from {{ new_runs }}
        where {{ raw_row_id() }} in (select new_rows.raw_rowid from new_rows)
    {% else %}
        select * from {{ source('wandb', 'wandb_runs') }}
    {% endif %}

),

extracted as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        fetch_kind,
        {{ json_extract_paths(
            'record', (record_fields.values() | list) + (analysis_fields.values() | list)
        ) }} as record_values

    from source

),

fields as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        {% for name in record_fields -%}
            {{ list_element('record_values', loop.index) }} as {{ name }},
        {% endfor -%}
        {%- set analysis_entries = [] -%}
        {%- for key in analysis_fields -%}
            {%- do analysis_entries.append((key, json_extract_string(
                list_element('record_values', record_fields | length + loop.index), '$'
            ))) -%}
        {%- endfor -%}
        {{ make_map(analysis_entries) }} as analysis_values,
        fetch_kind

    from extracted

),

final as (

    select
        entity,
        project,
        run_id,
        load_id,
        fetched_at,
        fetch_kind,
        {{ json_extract_string('run_name', '$') }} as run_name,
        {{ json_extract_string('experiment_group', '$') }} as experiment_group,
        {{ json_extract_string('sweep_id', '$') }} as sweep_id,
        {{ json_extract_string('job_type', '$') }} as job_type,
        {{ json_extract_string('state', '$') }} as state,
        {{ parse_utc_timestamp(json_extract_string('created_at', '$')) }} as created_at,
        {{ parse_utc_timestamp(json_extract_string('heartbeat_at', '$')) }} as heartbeat_at,
        try_cast({{ json_extract_string('history_line_count', '$') }} as {{ dbt.type_bigint() }})
            as history_line_count,
        {{ split_tags('tags') }} as tags,
        -- Config and summary exist on full fetches only; a full fetch without an object
        -- has an empty one, and a light row has none (null).
        case
            when fetch_kind != 'full' then null
            when {{ json_type('config', '$') }} = 'OBJECT' then config
            else {{ empty_json_object() }}
        end as config,
        case
            when fetch_kind != 'full' then null
            when {{ json_type('summary', '$') }} = 'OBJECT' then summary
            else {{ empty_json_object() }}
        end as summary,
        {{ json_extract_string('timeout_text', '$') }} as timeout_text,
        {{ json_extract_string('runtime_text', '$') }} as runtime_text,
        -- Each configured value as written (text), by 'config.<path>' / 'summary.<path>'.
        analysis_values

    from fields

)

select * from final
