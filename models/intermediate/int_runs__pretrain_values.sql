{#- Incremental on DuckDB: a build re-derives (delete+insert by run) only the runs a load
    this table has not seen touched, found by touched_by_load_id: a new latest version, or
    an older export loaded late that changes the payload a light latest version carries
    forward. A semi join on that short list of loads is pushed into DuckDB's scan of
    int_runs__current, which then reads only those runs. Every synced run stays here, so
    no row ever needs deleting. A full table on Spark. -#}
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

    select current_runs.*
    from {{ ref('int_runs__current') }} as current_runs
    {% if is_incremental() %}
        where current_runs.touched_by_load_id in (
            {{ unseen_current_values('touched_by_load_id') }}
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
