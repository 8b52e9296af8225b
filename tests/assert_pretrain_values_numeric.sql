-- A pretrain value that is present but not an integer becomes null in the marts; name it.
{{ config(severity='warn') }}

with

pretrain_values as (

    select * from {{ ref('int_runs__pretrain_values') }}

),

runs as (

    -- The deletion flag, read from a table (not the runs view, which re-joins the listing).
    select * from {{ ref('int_runs__in_scope') }}
    where not is_deleted_upstream

),

-- One pass over every run; the four fields are then named on the few rows left.
unparsed as (

    select * from pretrain_values
    where
        (pretrain_steps_text is not null and pretrain_steps is null)
        or (pretrain_compute_text is not null and pretrain_compute is null)
        or (model_pretrain_steps_text is not null and model_pretrain_steps is null)
        or (model_pretrain_compute_text is not null and model_pretrain_compute is null)

),

checked as (

    select entity, project, run_id, 'pretrain_steps' as field, pretrain_steps_text as value_text
    from unparsed
    where pretrain_steps_text is not null and pretrain_steps is null
    union all
    select entity, project, run_id, 'pretrain_compute' as field, pretrain_compute_text as value_text
    from unparsed
    where pretrain_compute_text is not null and pretrain_compute is null
    union all
    select
        entity, project, run_id, 'model_pretrain_steps' as field,
        model_pretrain_steps_text as value_text
    from unparsed
    where model_pretrain_steps_text is not null and model_pretrain_steps is null
    union all
    select
        entity, project, run_id, 'model_pretrain_compute' as field,
        model_pretrain_compute_text as value_text
    from unparsed
    where model_pretrain_compute_text is not null and model_pretrain_compute is null

),

final as (

    select
        checked.entity,
        checked.project,
        checked.run_id,
        checked.field,
        checked.value_text

    from checked
    inner join runs
        on
            checked.entity = runs.entity
            and checked.project = runs.project
            and checked.run_id = runs.run_id

)

select * from final
