{#- The JSON type name at `path`, upper case: OBJECT, ARRAY, VARCHAR, BIGINT, UBIGINT,
    DOUBLE, BOOLEAN, NULL; null if the key is missing. -#}
{% macro json_type(json_expr, path) -%}
    {{ return(adapter.dispatch('json_type', 'wandb_warehouse')(json_expr, path)) }}
{%- endmacro %}

{% macro default__json_type(json_expr, path) -%}
    json_type({{ json_expr }}, '{{ path }}')
{%- endmacro %}

{% macro duckdb__json_type(json_expr, path) -%}
    json_type({{ json_expr }}, '{{ path }}')
{%- endmacro %}

{#- Spark: DuckDB's names for the VARIANT's type. An integral number is UBIGINT when it
    fits 0..2^64-1, BIGINT when negative down to -2^63, DOUBLE otherwise (as DuckDB reads
    JSON); Spark's VARIANT keeps 15000.0 as an integer, so it reports UBIGINT there. -#}
{% macro spark__json_type(json_expr, path) -%}
    {{ wandb_warehouse.spark_variant_type_name("variant_get(" ~ json_expr ~ ", '" ~ path ~ "')") }}
{%- endmacro %}
