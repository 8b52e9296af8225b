{#- An empty list of strings (typed, so it unions and coalesces with string lists). -#}
{% macro empty_string_list() -%}
    {{ return(adapter.dispatch('empty_string_list', 'wandb_warehouse')()) }}
{%- endmacro %}

{% macro default__empty_string_list() -%}
    cast(array() as array<string>)
{%- endmacro %}

{% macro duckdb__empty_string_list() -%}
    []::varchar[]
{%- endmacro %}
