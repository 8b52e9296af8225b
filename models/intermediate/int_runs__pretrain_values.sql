-- A table, not a view: marts and a dozen data tests read it, and at a million runs
-- recomputing it for each of them cost more than the rest of the build.
{{ config(materialized='table') }}

with

runs as (

    select * from {{ ref('stg_wandb__runs') }}

),

-- The texts are extracted from config and summary once, in staging.
raw_values as (

    select
        entity,
        project,
        run_id,
        pretrain_steps_text,
        pretrain_compute_text,
        model_pretrain_steps_text,
        model_pretrain_compute_text

    from runs

),

final as (

    select
        entity,
        project,
        run_id,
        pretrain_steps_text,
        pretrain_compute_text,
        model_pretrain_steps_text,
        model_pretrain_compute_text,
        {{ exact_integer('pretrain_steps_text') }} as pretrain_steps,
        {{ exact_integer('pretrain_compute_text') }} as pretrain_compute,
        {{ exact_integer('model_pretrain_steps_text') }} as model_pretrain_steps,
        {{ exact_integer('model_pretrain_compute_text') }} as model_pretrain_compute

    from raw_values

)

select * from final
