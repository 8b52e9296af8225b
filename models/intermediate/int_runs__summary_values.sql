with

runs as (

    select * from {{ ref('stg_wandb__runs') }}

),

leaves as (

    select
        runs.entity,
        runs.project,
        runs.run_id,
        summary_leaves.leaf_path as key_path,
        summary_leaves.leaf_value as json_value,
        summary_leaves.leaf_type as json_type

    from runs,
        {{ json_leaves('runs.summary', 'summary_leaves') }}

),

final as (

    select
        entity,
        project,
        run_id,
        key_path,
        json_value,
        lower(json_type) as json_type,
        {{ json_extract_string('json_value', '$') }} as value_text,
        {{ safe_double(json_extract_string('json_value', '$')) }} as value_number,
        {{ exact_integer(json_extract_string('json_value', '$')) }} as value_integer,
        case
            when json_type = 'BOOLEAN'
                then {{ json_extract_string('json_value', '$') }} = 'true'
        end as value_boolean

    from leaves

)

select * from final
