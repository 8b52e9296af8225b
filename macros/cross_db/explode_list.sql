{#- One output row per list element (used in a select list); an empty list gives no row. -#}
{% macro explode_list(list_expr) -%}
    {{ return(adapter.dispatch('explode_list', 'wandb_warehouse')(list_expr)) }}
{%- endmacro %}

{% macro default__explode_list(list_expr) -%}
    explode({{ list_expr }})
{%- endmacro %}

{% macro duckdb__explode_list(list_expr) -%}
    unnest({{ list_expr }})
{%- endmacro %}

{% macro spark__explode_list(list_expr) -%}
    explode({{ list_expr }})
{%- endmacro %}
