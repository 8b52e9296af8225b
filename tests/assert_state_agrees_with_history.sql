-- A state its own history contradicts (finished at the time limit, or logging after death).
-- Names every run marts.run_progress flags state_contradicts_history (rule documented on the column).
{{ config(severity='warn') }}
{{ runs_flagged('state_contradicts_history') }}
