-- A 'running' run that stopped heartbeating and logging is gone: W&B never heard it end.
-- Names every run marts.run_progress flags stale_running (rule documented on the column).
{{ config(severity='warn') }}
{{ runs_flagged('stale_running') }}
