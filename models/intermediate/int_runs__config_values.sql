with

payloads as (

    select * from {{ ref('int_runs__payloads') }}

),

-- W&B wraps every config entry as {"value": ..., "desc": ...}; only the value is data.
leaves as (

    select
        payloads.entity,
        payloads.project,
        payloads.run_id,
        config_leaves.leaf_path,
        config_leaves.leaf_value,
        config_leaves.leaf_type

    from payloads,
        {{ json_leaves('payloads.config', 'config_leaves') }}

),

values_only as (

    select
        entity,
        project,
        run_id,
        {{ regex_extract('leaf_path', '^("[^"]*"|[^.\\[]+)\\.value(.*)$', 1) }}
        || {{ regex_extract('leaf_path', '^("[^"]*"|[^.\\[]+)\\.value(.*)$', 2) }} as key_path,
        leaf_value as json_value,
        leaf_type as json_type

    from leaves
    where {{ regex_matches('leaf_path', '^("[^"]*"|[^.\\[]+)\\.value([.\\[].*)?$') }}

),

final as (

    select
        entity,
        project,
        run_id,
        key_path,
        json_value,
        {{ typed_json_value('json_value', 'json_type') }}

    from values_only

)

select * from final
