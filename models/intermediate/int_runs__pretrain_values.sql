{#- Incremental: a build re-derives the runs whose touched_by_load_id this table does not
    hold yet (a new latest version, or an older export loaded late that changes the
    payload a light latest version carries) and replaces them by run. Every synced run has
    a row, so nothing else needs deleting. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['entity', 'project', 'run_id'],
        on_schema_change='fail',
    )
}}

with

runs as (

    select * from {{ ref('int_runs__current') }}
    {% if is_incremental() %}
        where touched_by_load_id in (
            {{ values_not_built(ref('int_runs__current'), 'touched_by_load_id') }}
        )
    {% endif %}

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
        {{ exact_integer('model_pretrain_compute_text') }} as model_pretrain_compute,
        last_load_id,
        version_count,
        touched_by_load_id

    from runs

)

select * from final
