{#- One row per sweep per fetch that stored it: the sweep node's fields typed, and the
    sweep's metric (name and goal) read from its configuration. -#}
{%- set record_fields = {
    'sweep_name': '$.displayName',
    'method': '$.method',
    'state': '$.state',
    'description': '$.description',
    'best_loss': '$.bestLoss',
    'run_count': '$.runCount',
    'run_count_expected': '$.runCountExpected',
    'created_at': '$.createdAt',
    'updated_at': '$.updatedAt',
} -%}

with

source as (

    select * from {{ source('wandb', 'wandb_sweeps') }}

),

extracted as (

    select
        entity,
        project,
        sweep_id,
        load_id,
        fetched_at,
        config,
        {{ json_extract_paths('record', record_fields.values() | list) }} as record_values,
        {{ json_extract_paths('config', ['$.metric.name', '$.metric.goal']) }} as metric_values

    from source

),

fields as (

    select
        entity,
        project,
        sweep_id,
        load_id,
        fetched_at,
        config,
        {% for name in record_fields -%}
            {{ list_element('record_values', loop.index) }} as {{ name }},
        {% endfor -%}
        {{ list_element('metric_values', 1) }} as metric_name,
        {{ list_element('metric_values', 2) }} as metric_goal

    from extracted

),

final as (

    select
        entity,
        project,
        sweep_id,
        load_id,
        fetched_at,
        {{ json_extract_string('sweep_name', '$') }} as sweep_name,
        lower({{ json_extract_string('method', '$') }}) as sweep_method,
        upper({{ json_extract_string('state', '$') }}) as sweep_state,
        {{ json_extract_string('description', '$') }} as sweep_description,
        {{ safe_double(json_extract_string('best_loss', '$')) }} as best_loss,
        try_cast({{ json_extract_string('run_count', '$') }} as {{ dbt.type_bigint() }})
            as run_count,
        try_cast({{ json_extract_string('run_count_expected', '$') }} as {{ dbt.type_bigint() }})
            as run_count_expected,
        {{ parse_utc_timestamp(json_extract_string('created_at', '$')) }} as created_at,
        {{ parse_utc_timestamp(json_extract_string('updated_at', '$')) }} as updated_at,
        {{ json_extract_string('metric_name', '$') }} as metric_name,
        lower({{ json_extract_string('metric_goal', '$') }}) as metric_goal,
        config

    from fields

)

select * from final
