{#-
  box_score_source_rank(partition_by): THE preference between feeds that landed the same box score.
  1 = the row to keep: rows with shooting detail (fga not null) first, then the latest load, then the
  source name as a fixed tie-break. Used for player and team box scores alike.
-#}
{% macro box_score_source_rank(partition_by) -%}
    row_number() over (
        partition by {{ partition_by | join(', ') }}
        order by case when fga is not null then 0 else 1 end, _loaded_at desc, _source desc
    )
{%- endmacro %}
