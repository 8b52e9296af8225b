-- A 'finished' run that trained a handful of steps at most (or logged nothing) is a success only on paper.
-- Names every run marts.run_progress flags finished_without_progress (rule documented on the column).
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A finished run whose history ends below history_min_progress_steps, or '
        ~ 'that logged nothing: a success only on paper.'}
) }}
{{ runs_flagged('finished_without_progress') }}
