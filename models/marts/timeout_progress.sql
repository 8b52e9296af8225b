with

run_progress as (

    select * from {{ ref('run_progress') }}

),

final as (

    select
        entity,
        project,
        split_group as timeout_group,
        count(*) as runs,
        count(case when history_rows > 0 then 1 end) as runs_with_history,
        count(case when progressed_meaningfully then 1 end) as progressed_runs,
        cast(count(case when progressed_meaningfully then 1 end) as double)
        / count(*) as share_progressed,
        median(case when progressed_meaningfully then training_seconds end)
            as median_training_seconds,
        count(case when likely_timed_out then 1 end) as likely_timed_out_runs,
        count(case when finished_without_progress then 1 end) as finished_without_progress_runs,
        count(case when stale_running then 1 end) as stale_running_runs,
        {{ split_name("entity", "project") }} as split_name

    from run_progress
    group by
        entity,
        project,
        split_group

)

select * from final
