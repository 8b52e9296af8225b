{#- dbt's is_incremental(), false on Spark, where incremental models are built as full
    tables (see materialization_incremental_spark): their SQL then selects every row.
    False too when the table was built from other analysis settings
    (analysis_settings_changed): the model is then rebuilt from every row. -#}
{% macro is_incremental() -%}
    {{ return(target.type != 'spark' and dbt.is_incremental() and not analysis_settings_changed()) }}
{%- endmacro %}
