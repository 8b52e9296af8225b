{#- A struct value from (name, expression) pairs; read its fields with `value.name`. -#}
{% macro make_struct(fields) -%}
    {{ return(adapter.dispatch('make_struct', 'wandb_warehouse')(fields)) }}
{%- endmacro %}

{% macro default__make_struct(fields) -%}
    named_struct(
        {%- for name, expression in fields -%}
            '{{ name }}', {{ expression }}{{ ", " if not loop.last }}
        {%- endfor -%}
    )
{%- endmacro %}

{% macro duckdb__make_struct(fields) -%}
    {
        {%- for name, expression in fields -%}
            '{{ name }}': {{ expression }}{{ ", " if not loop.last }}
        {%- endfor -%}
    }
{%- endmacro %}
