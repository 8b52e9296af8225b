{#- Incremental on DuckDB: a build re-derives only the runs whose last_load_id or
    version_count differ from the stored ones (delete+insert by run): a new latest version,
    or an older export loaded late that changes the payload a light latest version carries
    forward. Every synced run stays here, so no row ever needs deleting. A full table on
    Spark. -#}
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
        anti join {{ this }} as previous
            on
                current_runs.entity = previous.entity
                and current_runs.project = previous.project
                and current_runs.run_id = previous.run_id
                and current_runs.last_load_id = previous.last_load_id
                and current_runs.version_count = previous.version_count
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
        version_count

    from runs

)

select * from final
