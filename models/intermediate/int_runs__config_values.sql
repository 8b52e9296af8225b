with

runs as (

    select * from {{ ref('stg_wandb__runs') }}

),

-- W&B wraps every config entry as {"value": ..., "desc": ...}; only the value is data.
leaves as (

    select
        runs.entity,
        runs.project,
        runs.run_id,
        config_leaves.leaf_path,
        config_leaves.leaf_value,
        config_leaves.leaf_type

    from runs,
        {{ json_leaves('runs.config', 'config_leaves') }}

),

values_only as (

    select
        entity,
        project,
        run_id,
        regexp_extract(leaf_path, '^("[^"]*"|[^.\[]+)\.value(.*)$', 1)
        || regexp_extract(leaf_path, '^("[^"]*"|[^.\[]+)\.value(.*)$', 2) as key_path,
        leaf_value as json_value,
        leaf_type as json_type

    from leaves
    where regexp_matches(leaf_path, '^("[^"]*"|[^.\[]+)\.value([.\[].*)?$')

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

    from values_only

)

select * from final
