{#- stg_wandb__runs without the config and summary JSON, kept as a table: the models and
    tests that need a run's typed fields or its deletion flag read this instead of
    re-evaluating the view (latest versions joined to the listing ledger: 1 to 2 s per
    read at a million runs). Incremental on DuckDB: a build merges in only the rows of
    the view that differ from the stored ones (a new latest version, a new verdict of a
    complete listing, a new version count), by run; runs never leave the view, so no row
    is ever deleted. A table on Spark. -#}
{{
    config(
        materialized=('table' if target.type == 'spark' else 'incremental'),
        incremental_strategy='merge',
        unique_key=['entity', 'project', 'run_id'],
        on_schema_change='fail',
    )
}}

{%- set columns = [
    'entity',
    'project',
    'run_id',
    'run_name',
    'experiment_group',
    'job_type',
    'state',
    'created_at',
    'heartbeat_at',
    'runtime_seconds',
    'timeout_seconds',
    'timeout_text',
    'history_line_count',
    'tags',
    'pretrain_steps_text',
    'pretrain_compute_text',
    'model_pretrain_steps_text',
    'model_pretrain_compute_text',
    'is_deleted_upstream',
    'first_seen_at',
    'last_fetched_at',
    'version_count',
    'last_load_id',
] -%}

with

runs as (

    select {{ columns | join(', ') }}
    from {{ ref('stg_wandb__runs') }}

),

-- On an incremental build, the rows that differ from the stored ones in any column (EXCEPT
-- compares whole rows, nulls as equal).
final as (

    select * from runs
    {% if is_incremental() %}
        except
        select {{ columns | join(', ') }}
        from {{ this }}
    {% endif %}

)

select * from final
