with

run_versions as (

    select * from {{ ref('stg_wandb__run_versions') }}

),

loads as (

    select * from {{ ref('stg_wandb__loads') }}

),

listings as (

    select * from {{ ref('stg_wandb__listings') }}

),

latest_versions as (

    select * from run_versions
    where is_latest_version

),

{{ runs_judged_by_listings('latest_versions', 'loads', 'listings', [
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
    'config',
    'summary',
    'pretrain_steps_text',
    'pretrain_compute_text',
    'model_pretrain_steps_text',
    'model_pretrain_compute_text',
]) }}

final as (

    select * from judged_runs

)

select * from final
