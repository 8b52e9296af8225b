{#- A map from text keys to text values, from (key, expression) pairs. -#}
{% macro make_map(entries) -%}
    {{ return(adapter.dispatch('make_map', 'wandb_warehouse')(entries)) }}
{%- endmacro %}

{% macro default__make_map(entries) -%}
    map(
        {%- for key, expression in entries -%}
            {{ sql_string(key) }}, {{ expression }}{{ ", " if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}

{% macro duckdb__make_map(entries) -%}
    map(
        [{%- for key, expression in entries -%}
            {{ sql_string(key) }}{{ ", " if not loop.last }}
        {%- endfor -%}],
        [{%- for key, expression in entries -%}
            {{ expression }}{{ ", " if not loop.last }}
        {%- endfor -%}]
    )
{%- endmacro %}
