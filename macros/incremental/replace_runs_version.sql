{#- The columns whose values say a run changed, for the model's `replace_runs` config:
    its 'version' list, by default the newest load that touched the run. -#}
{% macro replace_runs_version() -%}
    {{ return((config.get('replace_runs') or {}).get('version', ['touched_by_load_id'])) }}
{%- endmacro %}
