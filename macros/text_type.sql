{#- The variable-length text type: DuckDB VARCHAR, Spark STRING (Spark's VARCHAR needs a
    length). -#}
{% macro text_type() -%}
    {{ return(adapter.dispatch('text_type', 'wandb_warehouse')()) }}
{%- endmacro %}

{% macro duckdb__text_type() -%}
    varchar
{%- endmacro %}

{% macro default__text_type() -%}
    varchar
{%- endmacro %}

{% macro spark__text_type() -%}
    string
{%- endmacro %}
