{#- A type as the project's yml writes it (DuckDB names: contracts, seed column_types)
    in Spark's words, so one yml serves both targets. -#}
{% macro spark_type(data_type) -%}
    {%- set normalised = data_type | trim | lower -%}
    {%- if normalised.endswith('[]') -%}
        {{- 'array<' ~ spark_type(normalised[:-2]) ~ '>' -}}
    {%- elif normalised in ('varchar', 'text', 'string', 'char', 'bpchar') -%}
        string
    {%- elif normalised in ('timestamp with time zone', 'timestamptz') -%}
        timestamp
    {%- elif normalised in ('timestamp', 'timestamp without time zone') -%}
        timestamp_ntz
    {%- elif normalised == 'hugeint' -%}
        decimal(38,0)
    {%- elif normalised == 'json' -%}
        variant
    {%- else -%}
        {{- normalised -}}
    {%- endif -%}
{%- endmacro %}
