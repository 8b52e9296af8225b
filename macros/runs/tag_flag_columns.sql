{#- One never-null BOOLEAN column per catalogued tag (the `tag_catalog` var), named by
    tag_column_name, true when `tags_expr` (a list of tags) holds the tag. For select lists;
    no trailing comma. -#}
{% macro tag_flag_columns(tags_expr) -%}
    {%- for entry in var('tag_catalog') %}
        {{ list_contains(tags_expr, "'" ~ entry.tag ~ "'") }} as {{ tag_column_name(entry.tag) }}
        {{- "," if not loop.last }}
    {%- endfor %}
{%- endmacro %}
