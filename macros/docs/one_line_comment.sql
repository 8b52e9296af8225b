{#- A description as one line of text: every run of whitespace (the line breaks of a
    folded YAML scalar or a wrapped doc block, a trailing newline) becomes one space. The
    DuckDB shell prints a newline inside a comment as a literal `\n`. -#}
{% macro one_line_comment(description) -%}
    {{ return(description.split() | join(' ')) }}
{%- endmacro %}
