{#- A field of a struct value (see make_struct). -#}
{% macro struct_field(struct_expr, name) -%}
    {{ return(adapter.dispatch('struct_field', 'wandb_warehouse')(struct_expr, name)) }}
{%- endmacro %}

{% macro default__struct_field(struct_expr, name) -%}
    {{ struct_expr }}.{{ name }}
{%- endmacro %}

{% macro duckdb__struct_field(struct_expr, name) -%}
    {{ struct_expr }}['{{ name }}']
{%- endmacro %}
