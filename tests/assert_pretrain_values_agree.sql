-- A configured column pair's config value should equal what the run reports in its
-- summary; a divergence (the original 15000 vs "29901" of the pretrain pairs) is worth a
-- follow-up, not a failed build. Every pair of every project's settings is covered, the
-- pretrain pairs and any other; the name is the original rule's.
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A configured column pair (the pretraining steps or compute, or any other) '
        ~ 'holds a config value that differs from what the run reports in its summary.'}
) }}

with

column_pair_overlap as (

    select * from {{ ref('column_pair_overlap') }}

),

final as (

    select
        entity,
        project,
        run_id,
        column_pair,
        pair_role,
        run_name,
        experiment_group,
        state,
        config_value,
        summary_value

    from column_pair_overlap
    where not is_match

)

select * from final
