with

payloads as (

    select * from {{ ref('int_runs__payloads') }}

),

leaves as (

    select
        payloads.entity,
        payloads.project,
        payloads.run_id,
        summary_leaves.leaf_path as key_path,
        summary_leaves.leaf_value as json_value,
        summary_leaves.leaf_type as json_type

    from payloads,
        {{ json_leaves('payloads.summary', 'summary_leaves') }}

),

final as (

    select
        entity,
        project,
        run_id,
        key_path,
        json_value,
        {{ typed_json_value('json_value', 'json_type') }}

    from leaves

)

select * from final
