{#- dbt's is_incremental(), false on Spark, where incremental models are built as full
    tables (see materialization_incremental_spark): their SQL then selects every row. -#}
{% macro is_incremental() -%}
    {{ return(target.type != 'spark' and dbt.is_incremental()) }}
{%- endmacro %}
