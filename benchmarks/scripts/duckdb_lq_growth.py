"""A minimal analyst's DuckDB script: each district's LQ and growth, from the file to parquet."""
import sys

import duckdb

path, out, mapping = sys.argv[1], sys.argv[2], sys.argv[3]
con = duckdb.connect()
con.execute(f"""
COPY (
  WITH e AS (SELECT area_code, year, sic, employment FROM read_parquet('{path}')
             WHERE "table" = 'employment'),
  m AS (SELECT * FROM read_csv('{mapping}', all_varchar = true)),
  y AS (SELECT MIN(year) AS y0, MAX(year) AS y1 FROM e),
  tot AS (SELECT area_code, year, SUM(employment) AS total FROM e, y
          WHERE sic = 'TOTAL' AND year = y1 GROUP BY ALL),
  sec AS (SELECT area_code, sector, year, SUM(employment) AS jobs
          FROM e JOIN m USING (sic), y WHERE year IN (y0, y1) GROUP BY ALL),
  cur AS (SELECT s.*, s.jobs / t.total AS share FROM sec s JOIN tot t USING (area_code, year)),
  nat AS (SELECT sector, share AS nat_share FROM cur WHERE area_code = 'K03000001')
  SELECT c.area_code, c.sector, c.share / nat.nat_share AS lq,
         pow(c.jobs / b.jobs, 1.0 / (y1 - y0)) - 1 AS growth
  FROM cur c JOIN nat USING (sector), y
  LEFT JOIN sec b ON b.area_code = c.area_code AND b.sector = c.sector AND b.year = y0
  WHERE c.area_code <> 'K03000001'
) TO '{out}' (FORMAT parquet)""")
