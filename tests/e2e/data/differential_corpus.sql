-- Differential corpus for tests/e2e/suites/differential.py (issue 3 item 9).
-- Each query starts with a header line `-- qNN ordered|unordered: description` and ends at the
-- next header. `{T:name}` is a table placeholder: the suite runs every query through meshgate
-- with `dif.name` (the data product) and directly on PostgreSQL with `dif_phys.name` (the
-- physical table), and the two results must be equal: same column names and types, same rows
-- (in the same order for `ordered` queries, whose ORDER BY is total; as a multiset otherwise).
-- The products' policies mask nothing and filter nothing. No query may depend on the clock.

-- q01 ordered: plain projection with ORDER BY
SELECT id, name, city, tier, signup, vip, credit FROM {T:customers} ORDER BY id

-- q02 unordered: SELECT * of every type including jsonb and timestamptz
SELECT * FROM {T:customers}

-- q03 ordered: inner join with aggregates
SELECT c.id, c.name, count(o.id) AS n_orders, sum(o.amount) AS total, avg(o.qty)::numeric(10,3) AS avg_qty
FROM {T:customers} c JOIN {T:orders} o ON o.customer_id = c.id
GROUP BY c.id, c.name ORDER BY total DESC, c.id

-- q04 ordered: left join keeps customers without orders; COALESCE over NULLs
SELECT c.id, COALESCE(sum(o.amount), 0) AS spent, max(o.ordered_at) AS last_order
FROM {T:customers} c LEFT JOIN {T:orders} o ON o.customer_id = c.id
GROUP BY c.id ORDER BY c.id

-- q05 ordered: row_number per partition with NULLS LAST
SELECT id, city, credit, row_number() OVER (PARTITION BY city ORDER BY credit DESC NULLS LAST, id) AS rn
FROM {T:customers} ORDER BY city NULLS FIRST, rn

-- q06 ordered: running sum with a ROWS frame
SELECT id, ordered_at, amount,
       sum(amount) OVER (ORDER BY ordered_at, id ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS moving
FROM {T:orders} ORDER BY ordered_at, id

-- q07 ordered: lag / lead / first_value per customer
SELECT customer_id, id, amount,
       lag(amount) OVER w AS prev_amount, lead(id, 1, -1) OVER w AS next_id,
       first_value(amount) OVER w AS first_amount
FROM {T:orders} WINDOW w AS (PARTITION BY customer_id ORDER BY ordered_at, id)
ORDER BY customer_id, ordered_at, id

-- q08 ordered: rank, dense_rank, ntile, percent_rank, cume_dist
SELECT sku, category, price,
       rank() OVER (PARTITION BY category ORDER BY price) AS r,
       dense_rank() OVER (ORDER BY price DESC) AS dr,
       ntile(3) OVER (ORDER BY sku) AS tile,
       round(percent_rank() OVER (ORDER BY price)::numeric, 6) AS pr,
       round(cume_dist() OVER (ORDER BY price)::numeric, 6) AS cd
FROM {T:products} ORDER BY sku

-- q09 ordered: CTE feeding a join
WITH big AS (SELECT customer_id, sum(amount) AS total FROM {T:orders} GROUP BY customer_id HAVING sum(amount) > 300)
SELECT c.name, b.total FROM big b JOIN {T:customers} c ON c.id = b.customer_id ORDER BY b.total DESC, c.name

-- q10 ordered: WITH RECURSIVE management chain with depth and path
WITH RECURSIVE chain(id, name, depth, path) AS (
    SELECT id, name, 0, name::text FROM {T:employees} WHERE manager_id IS NULL
    UNION ALL
    SELECT e.id, e.name, c.depth + 1, c.path || ' > ' || e.name
    FROM {T:employees} e JOIN chain c ON e.manager_id = c.id)
SELECT id, name, depth, path FROM chain ORDER BY path

-- q11 ordered: WITH RECURSIVE over dates (a calendar of the order range)
WITH RECURSIVE days(d) AS (
    SELECT min(ordered_at)::date FROM {T:orders}
    UNION ALL
    SELECT d + 1 FROM days WHERE d < (SELECT max(ordered_at)::date FROM {T:orders}))
SELECT d, (SELECT count(*) FROM {T:orders} o WHERE o.ordered_at::date = d) AS n FROM days ORDER BY d

-- q12 ordered: correlated scalar subquery in the select list
SELECT c.id, (SELECT max(o.amount) FROM {T:orders} o WHERE o.customer_id = c.id) AS biggest
FROM {T:customers} c ORDER BY c.id

-- q13 ordered: correlated EXISTS and NOT EXISTS
SELECT id, name,
       EXISTS (SELECT 1 FROM {T:orders} o WHERE o.customer_id = c.id AND o.status = 'refunded') AS had_refund
FROM {T:customers} c
WHERE NOT EXISTS (SELECT 1 FROM {T:orders} o WHERE o.customer_id = c.id AND o.amount > 480)
ORDER BY id

-- q14 unordered: IN subquery
SELECT sku, title FROM {T:products} WHERE sku IN (SELECT sku FROM {T:order_items} WHERE qty >= 3)

-- q15 ordered: UNION / INTERSECT / EXCEPT
(SELECT city AS v FROM {T:customers} WHERE city IS NOT NULL
 UNION SELECT category FROM {T:products})
EXCEPT SELECT 'Oslo'
INTERSECT SELECT city FROM {T:customers}
ORDER BY 1

-- q16 unordered: UNION ALL keeps duplicates
SELECT status AS s FROM {T:orders} UNION ALL SELECT tier FROM {T:customers}

-- q17 ordered: LATERAL top-2 orders per customer
SELECT c.id, t.id AS order_id, t.amount
FROM {T:customers} c CROSS JOIN LATERAL (
    SELECT o.id, o.amount FROM {T:orders} o WHERE o.customer_id = c.id ORDER BY o.amount DESC, o.id LIMIT 2) t
ORDER BY c.id, t.amount DESC, t.id

-- q18 ordered: DISTINCT ON latest order per customer
SELECT DISTINCT ON (customer_id) customer_id, id, ordered_at, status
FROM {T:orders} ORDER BY customer_id, ordered_at DESC, id

-- q19 unordered: GROUPING SETS
SELECT status, date_trunc('month', ordered_at) AS month, count(*), sum(qty)
FROM {T:orders} GROUP BY GROUPING SETS ((status), (date_trunc('month', ordered_at)), ())

-- q20 unordered: ROLLUP
SELECT city, tier, count(*) AS n, sum(credit) AS credit FROM {T:customers} GROUP BY ROLLUP (city, tier)

-- q21 unordered: CUBE with GROUPING()
SELECT category, active, GROUPING(category, active) AS g, count(*), avg(price)::numeric(10,2)
FROM {T:products} GROUP BY CUBE (category, active)

-- q22 ordered: date_trunc and monthly revenue
SELECT date_trunc('month', ordered_at AT TIME ZONE 'UTC') AS month, sum(amount) AS revenue, count(DISTINCT customer_id) AS buyers
FROM {T:orders} GROUP BY 1 ORDER BY 1

-- q23 ordered: interval and date arithmetic
SELECT id, ordered_at + interval '3 days 4 hours' AS due, shipped - ordered_at::date AS days_to_ship,
       extract(dow FROM ordered_at AT TIME ZONE 'UTC') AS dow, age(shipped, date '2024-01-01') AS since_new_year,
       (shipped + 30) AS plus_month, justify_interval(interval '50 hours')
FROM {T:orders} WHERE shipped IS NOT NULL ORDER BY id

-- q24 ordered: to_char and date parts
SELECT id, to_char(signup, 'YYYY-MM-DD Dy') AS day, to_char(credit, 'FM9999990.00') AS credit_text,
       date_part('year', signup) AS y, extract(quarter FROM signup) AS q
FROM {T:customers} WHERE signup IS NOT NULL ORDER BY id

-- q25 ordered: string functions
SELECT id, upper(name), lower(city), initcap(tier), substring(name FROM 2 FOR 3), position('a' IN name),
       split_part(name, ' ', 1), regexp_replace(name, '[aeiou]', '_', 'g'), concat_ws('/', city, tier),
       length(name), left(name, 2), right(name, 2), lpad(id::text, 4, '0'), format('%s-%s', id, tier),
       reverse(name), md5(name), replace(name, ' ', '')
FROM {T:customers} ORDER BY id

-- q26 ordered: CASE with several branches
SELECT id, amount,
       CASE WHEN amount >= 400 THEN 'large' WHEN amount >= 150 THEN 'medium' WHEN amount IS NULL THEN 'none' ELSE 'small' END AS size,
       CASE status WHEN 'paid' THEN 1 WHEN 'shipped' THEN 2 ELSE 0 END AS code
FROM {T:orders} ORDER BY id

-- q27 ordered: aggregate FILTER clauses
SELECT customer_id,
       count(*) FILTER (WHERE status = 'paid') AS paid,
       sum(amount) FILTER (WHERE status <> 'refunded') AS kept,
       max(ordered_at) FILTER (WHERE qty > 1) AS last_multi
FROM {T:orders} GROUP BY customer_id ORDER BY customer_id

-- q28 ordered: ORDER BY NULLS FIRST / LAST, DESC
SELECT id, city, credit FROM {T:customers} ORDER BY credit DESC NULLS LAST, city ASC NULLS FIRST, id

-- q29 ordered: LIMIT / OFFSET
SELECT id, amount FROM {T:orders} ORDER BY amount DESC, id LIMIT 5 OFFSET 3

-- q30 unordered: FETCH FIRST ... WITH TIES (the set is fixed, the order among ties is not)
SELECT id, qty FROM {T:orders} ORDER BY qty DESC FETCH FIRST 3 ROWS WITH TIES

-- q31 ordered: VALUES joined to a product
SELECT v.tier, v.discount, count(c.id) AS n
FROM (VALUES ('gold', 0.15), ('silver', 0.10), ('bronze', 0.05), ('none', 0)) AS v(tier, discount)
LEFT JOIN {T:customers} c ON c.tier = v.tier GROUP BY v.tier, v.discount ORDER BY v.discount DESC

-- q32 ordered: jsonb operators and functions
SELECT id, profile ->> 'lang' AS lang, profile -> 'prefs' AS prefs, profile ? 'newsletter' AS has_nl,
       profile @> '{"lang": "en"}' AS english, jsonb_typeof(profile -> 'score') AS score_type,
       jsonb_build_object('id', id, 'city', city) AS obj
FROM {T:customers} ORDER BY id

-- q33 unordered: jsonb_array_elements and jsonb_each_text
SELECT p.sku, t.value AS tag FROM {T:products} p, jsonb_array_elements_text(p.tags) AS t(value)

-- q34 ordered: json aggregation and row_to_json of a product row
SELECT c.id, row_to_json(c) AS row_json,
       (SELECT jsonb_agg(o.id ORDER BY o.id) FROM {T:orders} o WHERE o.customer_id = c.id) AS order_ids
FROM {T:customers} c ORDER BY c.id

-- q35 ordered: string_agg and array_agg with ORDER BY
SELECT category, string_agg(title, ', ' ORDER BY title) AS titles, array_agg(sku ORDER BY sku) AS skus
FROM {T:products} GROUP BY category ORDER BY category

-- q36 unordered: unnest of an aggregated array
SELECT customer_id, unnest(array_agg(status)) AS status FROM {T:orders} GROUP BY customer_id

-- q37 ordered: HAVING and COUNT DISTINCT
SELECT o.customer_id, count(DISTINCT i.sku) AS distinct_skus, sum(i.qty * i.unit_price) AS value
FROM {T:orders} o JOIN {T:order_items} i ON i.order_id = o.id
GROUP BY o.customer_id HAVING count(DISTINCT i.sku) >= 2 ORDER BY value DESC, o.customer_id

-- q38 ordered: bool_and / bool_or / every
SELECT city, bool_and(vip) AS all_vip, bool_or(vip) AS any_vip, every(credit > 100) AS all_rich
FROM {T:customers} GROUP BY city ORDER BY city NULLS LAST

-- q39 ordered: ordered-set aggregates
SELECT category, percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS median,
       percentile_disc(0.9) WITHIN GROUP (ORDER BY price) AS p90, mode() WITHIN GROUP (ORDER BY active) AS usual
FROM {T:products} GROUP BY category ORDER BY category

-- q40 ordered: generate_series calendar joined to orders
SELECT g.d::date AS day, count(o.id) AS n
FROM generate_series(timestamptz '2024-03-01 00:00+00', timestamptz '2024-03-10 00:00+00', interval '1 day') AS g(d)
LEFT JOIN {T:orders} o ON o.ordered_at >= g.d AND o.ordered_at < g.d + interval '1 day'
GROUP BY g.d ORDER BY g.d

-- q41 ordered: self join (employee and manager)
SELECT e.name AS employee, m.name AS manager, e.dept
FROM {T:employees} e LEFT JOIN {T:employees} m ON m.id = e.manager_id ORDER BY e.id

-- q42 ordered: NOT IN with NULLs, and NOT IN without
SELECT id FROM {T:customers} WHERE id NOT IN (SELECT customer_id FROM {T:orders} WHERE customer_id IS NOT NULL) ORDER BY id

-- q43 ordered: comparison with an uncorrelated aggregate subquery
SELECT id, amount FROM {T:orders} WHERE amount > (SELECT avg(amount) FROM {T:orders}) ORDER BY amount, id

-- q44 ordered: numeric rounding and casts
SELECT id, round(credit, 0) AS r0, trunc(credit, 1) AS t1, credit::int AS i, (credit * 1.07)::numeric(12,4) AS taxed,
       (credit / 3)::float8 AS f, id::text || '#' AS label, ceil(credit), floor(credit), abs(credit - 500), mod(id, 3)
FROM {T:customers} ORDER BY id

-- q45 unordered: TABLE of a product
TABLE {T:products}

-- q46 ordered: star from a join with aliases
SELECT o.*, c.name FROM {T:orders} o JOIN {T:customers} c ON c.id = o.customer_id ORDER BY o.id

-- q47 ordered: timestamptz ranges and AT TIME ZONE
SELECT id, ordered_at AT TIME ZONE 'Europe/Berlin' AS berlin, ordered_at::date AS d
FROM {T:orders}
WHERE ordered_at BETWEEN timestamptz '2024-02-01 00:00+00' AND timestamptz '2024-06-30 23:59+00' ORDER BY id

-- q48 ordered: COALESCE, NULLIF, GREATEST, LEAST
SELECT id, COALESCE(city, tier, 'n/a') AS place, NULLIF(tier, 'none') AS t, GREATEST(credit, 200), LEAST(credit, 800)
FROM {T:customers} ORDER BY id

-- q49 ordered: LIKE, ILIKE, SIMILAR TO, regexp_match
SELECT id, name LIKE '%a%' AS has_a, name ILIKE 'A%' AS starts_a, name SIMILAR TO '%(el|an)%' AS sim,
       (regexp_match(name, '([A-Z])[a-z]+'))[1] AS initial
FROM {T:customers} ORDER BY id

-- q50 ordered: window over an aggregate and a CTE with two references
WITH m AS (SELECT customer_id, date_trunc('month', ordered_at) AS month, sum(amount) AS total
           FROM {T:orders} GROUP BY 1, 2)
SELECT a.customer_id, a.month, a.total,
       sum(a.total) OVER (PARTITION BY a.customer_id ORDER BY a.month) AS cumulative,
       (SELECT count(*) FROM m b WHERE b.month = a.month) AS buyers_that_month
FROM m a ORDER BY a.customer_id, a.month

-- q51 ordered: items per order with product join and window share
SELECT i.order_id, p.title, i.qty, i.unit_price,
       round(i.qty * i.unit_price / sum(i.qty * i.unit_price) OVER (PARTITION BY i.order_id), 4) AS share
FROM {T:order_items} i JOIN {T:products} p ON p.sku = i.sku ORDER BY i.order_id, p.title

-- q52 ordered: boolean and NULL tests
SELECT id, vip IS TRUE AS t, vip IS NOT FALSE AS nf, city IS NULL AS no_city, credit IS DISTINCT FROM 0 AS nz
FROM {T:customers} ORDER BY id
