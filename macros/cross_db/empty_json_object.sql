{#- The JSON value `{}` (an empty object), typed as the adapter's JSON column type. -#}
{% macro empty_json_object() -%}
    {{ return(adapter.dispatch('empty_json_object', 'wandb_warehouse')()) }}
{%- endmacro %}

{% macro default__empty_json_object() -%}
    '{}'
{%- endmacro %}

{% macro duckdb__empty_json_object() -%}
    cast('{}' as json)
{%- endmacro %}

{#- Spark: JSON is a VARIANT (see create_raw_relations). -#}
{% macro spark__empty_json_object() -%}
    parse_json('{}')
{%- endmacro %}
