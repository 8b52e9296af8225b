{#- The marts.runs column of a catalogued tag: 'tag_' + the tag lowercased with every
    non-alphanumeric character replaced by '_' ("dclm-dolma" -> tag_dclm_dolma). Pure Jinja,
    so it works at compile time on any adapter. -#}
{% macro tag_column_name(tag) -%}
    {{- 'tag_' ~ modules.re.sub('[^a-z0-9]', '_', tag | lower) -}}
{%- endmacro %}
