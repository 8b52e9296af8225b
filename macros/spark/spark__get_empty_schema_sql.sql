{#- Contracts on Spark: the yml's DuckDB type names translated (spark_type) before dbt
    compares them with the model's columns, so contracts stay enforced on both targets. -#}
{% macro spark__get_empty_schema_sql(columns) -%}
    {%- set translated = {} -%}
    {%- for name in columns -%}
        {%- set column = {} -%}
        {%- set _ = column.update(columns[name]) -%}
        {%- if column.get('data_type') -%}
            {%- set _ = column.update({'data_type': wandb_warehouse.spark_type(column['data_type'])}) -%}
        {%- endif -%}
        {%- set _ = translated.update({name: column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(translated)) }}
{%- endmacro %}
