{#- dbt's should_full_refresh(), which the incremental materialization asks whether to
    replace the table: also when the table was built from other analysis settings
    (analysis_settings_changed), so that the model's full SELECT (is_incremental() is false
    then too) replaces the stale rows instead of being added to them. -#}
{% macro should_full_refresh() -%}
    {{ return(dbt.should_full_refresh() or analysis_settings_changed()) }}
{%- endmacro %}
