{#- A JSONPath to a nested key, from its segments (any characters: '/', '.', spaces). -#}
{% macro json_path(segments) -%}
    {{ return(adapter.dispatch('json_path', 'wandb_warehouse')(segments)) }}
{%- endmacro %}

{#- Every segment double-quoted; a single quote doubled, as the path sits in a literal. -#}
{% macro default__json_path(segments) -%}
    {%- set quoted = [] -%}
    {%- for segment in segments -%}
        {%- do quoted.append('"' ~ segment | replace('"', '\\"') | replace("'", "''") ~ '"') -%}
    {%- endfor -%}
    {{- '$.' ~ quoted | join('.') -}}
{%- endmacro %}

{#- Spark: plain names as `.name`, others as `['name']` (the path sits in a SQL literal). -#}
{% macro spark__json_path(segments) -%}
    {%- set parts = [] -%}
    {%- for segment in segments -%}
        {%- if modules.re.match('^[A-Za-z_][A-Za-z0-9_]*$', segment) -%}
            {%- do parts.append('.' ~ segment) -%}
        {%- else -%}
            {%- do parts.append("[\\'" ~ segment | replace("'", "\\\\\\'") ~ "\\']") -%}
        {%- endif -%}
    {%- endfor -%}
    {{- '$' ~ parts | join('') -}}
{%- endmacro %}
