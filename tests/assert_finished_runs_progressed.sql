-- A 'finished' run that trained a handful of steps at most (or logged nothing) is a success only on paper.
-- Names every run marts.run_progress flags finished_without_progress (rule documented on the column).
{{ config(severity='warn') }}
{{ runs_flagged('finished_without_progress') }}
