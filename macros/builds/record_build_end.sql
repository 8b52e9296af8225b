{#- on-run-end (DuckDB): judge the invocation record_build_start logged. It is 'failed'
    when a node errored, failed (error-severity tests) or was skipped; 'partial' when a
    model, seed or data test of the project did not run (a --select, or `dbt run` without
    tests); 'ok' otherwise: warn-severity data tests are findings, not failures. The
    update is the hook's own SQL, which dbt commits. -#}
{% macro record_build_end(results) -%}
    {%- if execute and target.type == 'duckdb' and flags.WHICH in ['build', 'run', 'seed', 'snapshot'] -%}
        {%- set ran = [] -%}
        {%- set failures = [] -%}
        {%- set findings = [] -%}
        {%- for result in results -%}
            {%- do ran.append(result.node.unique_id) -%}
            {%- if result.status | string in ['error', 'fail', 'skipped', 'runtime error'] -%}
                {%- do failures.append(result.node.name) -%}
            {%- elif result.status | string == 'warn' -%}
                {%- do findings.append(result.node.name) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set missing = [] -%}
        {%- for node in graph.nodes.values()
            if node.resource_type in ['model', 'seed', 'test']
            and node.config.materialized != 'ephemeral'
            and node.unique_id not in ran -%}
            {%- do missing.append(node.unique_id) -%}
        {%- endfor -%}
        {%- set status = 'failed' if failures else ('partial' if missing else 'ok') -%}
        update meta.builds set
            finished_at = now(),
            status = '{{ status }}',
            nodes_run = {{ ran | length }},
            failures = {{ sql_text_list(failures) }},
            findings = {{ sql_text_list(findings) }}
        where invocation_id = '{{ invocation_id }}'
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}

