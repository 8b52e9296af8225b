-- A state its own history contradicts (finished at the time limit, or logging after death).
-- Names every run marts.run_progress flags state_contradicts_history (rule documented on the column).
{{ config(
    severity='warn',
    store_failures=true,
    meta={'checks': 'A run whose history contradicts its state: finished but timed out, or '
        ~ 'crashed, failed or killed yet logging long after its last heartbeat.'}
) }}
{{ runs_flagged('state_contradicts_history') }}
