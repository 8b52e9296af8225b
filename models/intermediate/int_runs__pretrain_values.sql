{#- Incremental on DuckDB: a build re-derives only the runs whose latest version came from a
    load this table has not seen (delete+insert by run); every synced run stays here, so no
    row ever needs deleting. A full table on Spark. -#}
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='delete+insert',
        unique_key=['entity', 'project', 'run_id'],
        on_schema_change='fail',
    )
}}

with

runs as (

    select * from {{ ref('int_runs__current') }}
    {% if is_incremental() %}
        where last_load_id not in (
            select distinct previous.last_load_id from {{ this }} as previous
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
        last_load_id

    from runs

)

select * from final
