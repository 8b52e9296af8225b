-- A timed run that stopped at its time limit ran out of time, whatever its state says.
-- Names every run marts.run_progress flags likely_timed_out (rule documented on the column).
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A timed run that stopped within timeout_margin_seconds of its timeout, or '
        ~ 'later: it ran out of time.'}
) }}
{{ runs_flagged('likely_timed_out') }}
