{#- An empty JSON object of the warehouse's JSON type (DuckDB JSON, Spark VARIANT). -#}
{% macro json_empty_object() -%}
    {{ return(adapter.dispatch('json_empty_object', 'wandb_warehouse')()) }}
{%- endmacro %}

{% macro duckdb__json_empty_object() -%}
    cast('{}' as json)
{%- endmacro %}

{% macro default__json_empty_object() -%}
    cast('{}' as json)
{%- endmacro %}

{% macro spark__json_empty_object() -%}
    parse_json('{}')
{%- endmacro %}
