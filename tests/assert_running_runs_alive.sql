-- A 'running' run that stopped heartbeating and logging is gone: W&B never heard it end.
-- Names every run marts.run_progress flags stale_running (rule documented on the column).
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A running run that neither heartbeat nor logged for over '
        ~ 'stale_running_after_seconds before the latest load: W&B never heard it '
        ~ 'end.'}
) }}
{{ runs_flagged('stale_running') }}
