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
        {{ typed_json_value('json_value', 'json_type') }}

    from leaves

)

select * from final
