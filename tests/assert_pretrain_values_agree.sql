-- Config pretrain values should equal what the checkpoint reports in the summary; a
-- divergence (the original 15000 vs "29901") is worth a follow-up, not a failed build.
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A run\'s configured pretraining (steps or compute) differs from what its '
        ~ 'checkpoint reports in the summary.'}
) }}

with

pretrain_overlap as (

    select * from {{ ref('pretrain_overlap') }}

),

final as (

    select
        entity,
        project,
        run_id,
        run_name,
        experiment_group,
        state,
        pretrain_steps,
        model_pretrain_steps,
        pretrain_compute,
        model_pretrain_compute

    from pretrain_overlap
    where not steps_match or not compute_match

)

select * from final
