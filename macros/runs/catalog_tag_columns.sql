{#- The tag_ columns of marts.runs: one per column name any project's tag catalog maps a
    tag to (tag_column_name), the defaults' in catalog order first. Returns a list of
    {'column', 'tags'}: 'tags' maps each settings scope whose catalog has the column to the
    tag it maps there. -#}
{% macro catalog_tag_columns() -%}
    {%- set settings = analysis_settings() -%}
    {%- set columns = [] -%}
    {%- set by_name = {} -%}
    {%- for scope in ['*'] + settings['projects'] -%}
        {%- for entry in settings['scopes'][scope]['tag_catalog'] -%}
            {%- if entry.column not in by_name -%}
                {%- do by_name.update({entry.column: {'column': entry.column, 'tags': {}}}) -%}
                {%- do columns.append(by_name[entry.column]) -%}
            {%- endif -%}
            {%- do by_name[entry.column]['tags'].update({scope: entry.tag}) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(columns) }}
{%- endmacro %}
