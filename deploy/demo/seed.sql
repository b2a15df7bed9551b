-- Demo warehouse for meshgate: the physical tables behind the sales and marketing domains.
-- Physical schemas are deliberately NOT the domain names: sales data lives in `public`,
-- marketing data in `crm`. Clients address products as sales.customers, marketing.leads, ...;
-- a raw name such as public.customers never resolves through meshgate.
-- Loaded by tests/e2e/lib/pg.sh (mesh_seed) into a fresh database, as the superuser.
SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS crm;

CREATE TABLE public.customers (
    id          integer PRIMARY KEY,
    name        text NOT NULL,
    email       text NOT NULL,
    phone       text,
    card_number text,
    region      text NOT NULL CHECK (region IN ('EU', 'US')),
    balance     numeric(10,2) NOT NULL DEFAULT 0,
    created_at  timestamptz NOT NULL
);

INSERT INTO public.customers (id, name, email, phone, card_number, region, balance, created_at) VALUES
    (1, 'Anna Johnson', 'anna.johnson@example.eu', '+49 30 6433012', '4260181590830166', 'EU', 366.24, '2024-06-12 09:13:00+00'),
    (2, 'Ben Clark', 'ben.clark@example.eu', '+49 30 5037655', '4186091390996030', 'EU', 2918.52, '2024-11-23 10:26:00+00'),
    (3, 'Chloe Jensen', 'chloe.jensen@example.com', '+1 415 3234302', '4462819482199351', 'US', 2871.75, '2024-04-06 11:39:00+00'),
    (4, 'David Moore', 'david.moore@example.eu', '+49 30 2053424', '4909378657975432', 'EU', 3664.74, '2024-09-17 12:52:00+00'),
    (5, 'Elena Garcia', 'elena.garcia@example.com', '+1 415 5095259', '4194875749118625', 'US', 796.83, '2024-02-28 13:05:00+00'),
    (6, 'Felix Davis', 'felix.davis@example.com', '+1 415 9203439', '4601895559797114', 'US', 2485.64, '2024-07-11 14:18:00+00'),
    (7, 'Greta Dupont', 'greta.dupont@example.eu', '+49 30 2090518', '4049746507529170', 'EU', 1144.03, '2024-12-22 15:31:00+00'),
    (8, 'Hugo Brown', 'hugo.brown@example.eu', '+49 30 5822307', '4236671276842684', 'EU', 3703.55, '2024-05-05 16:44:00+00'),
    (9, 'Ines Lewis', 'ines.lewis@example.com', '+1 415 7967519', '4563212233079244', 'US', 21.46, '2024-10-16 17:57:00+00'),
    (10, 'Jonas Smith', 'jonas.smith@example.com', '+1 415 3444044', '4685995289078666', 'US', 2066.32, '2024-03-27 08:10:00+00'),
    (11, 'Kira Taylor', 'kira.taylor@example.eu', '+49 30 2737064', '4760313721590109', 'EU', 793.06, '2024-08-10 09:23:00+00'),
    (12, 'Lukas Novak', 'lukas.novak@example.com', '+1 415 2702289', '4590139624595711', 'US', 4450.87, '2024-01-21 10:36:00+00'),
    (13, 'Maya Wilson', 'maya.wilson@example.eu', '+49 30 9188423', '4777412154728038', 'EU', 1896.62, '2024-06-04 11:49:00+00'),
    (14, 'Noah Rossi', 'noah.rossi@example.eu', '+49 30 3459582', '4808414852538885', 'EU', 3336.78, '2024-11-15 12:02:00+00'),
    (15, 'Olga Miller', 'olga.miller@example.com', '+1 415 4742018', '4933633875004743', 'US', 3630.80, '2024-04-26 13:15:00+00'),
    (16, 'Paul Schmidt', 'paul.schmidt@example.eu', '+49 30 6776075', '4755131373537990', 'EU', 2513.82, '2024-09-09 14:28:00+00'),
    (17, 'Quinn Johnson', 'quinn.johnson@example.eu', '+49 30 6771478', '4116372651676122', 'EU', 666.04, '2024-02-20 15:41:00+00'),
    (18, 'Rosa Clark', 'rosa.clark@example.com', '+1 415 1462193', '4297299752882001', 'US', 2760.80, '2024-07-03 16:54:00+00'),
    (19, 'Sven Jensen', 'sven.jensen@example.eu', '+49 30 3336239', '4633043483954862', 'EU', 319.31, '2024-12-14 17:07:00+00'),
    (20, 'Tara Moore', 'tara.moore@example.com', '+1 415 6935510', '4798682828807290', 'US', 4068.67, '2024-05-25 08:20:00+00'),
    (21, 'Uma Garcia', 'uma.garcia@example.com', '+1 415 3513268', '4227918058887180', 'US', 1302.82, '2024-10-08 09:33:00+00'),
    (22, 'Victor Davis', 'victor.davis@example.eu', '+49 30 4209584', '4401878017598983', 'EU', 3631.90, '2024-03-19 10:46:00+00'),
    (23, 'Wendy Dupont', 'wendy.dupont@example.eu', '+49 30 5650401', '4788783848372616', 'EU', 2317.97, '2024-08-02 11:59:00+00'),
    (24, 'Xavier Brown', 'xavier.brown@example.com', '+1 415 6301261', '4136134125242731', 'US', 2088.01, '2024-01-13 12:12:00+00'),
    (25, 'Yara Lewis', 'yara.lewis@example.com', '+1 415 9174879', '4232686563551505', 'US', 2904.81, '2024-06-24 13:25:00+00'),
    (26, 'Zoe Smith', 'zoe.smith@example.eu', '+49 30 8695218', '4706589481131144', 'EU', 207.55, '2024-11-07 14:38:00+00'),
    (27, 'Liam Taylor', 'liam.taylor@example.com', '+1 415 4045926', '4426462889751402', 'US', 2229.88, '2024-04-18 15:51:00+00'),
    (28, 'Emma Novak', 'emma.novak@example.eu', '+49 30 2214906', '4401419314170586', 'EU', 4858.41, '2024-09-01 16:04:00+00'),
    (29, 'Omar Wilson', 'omar.wilson@example.eu', '+49 30 5493940', '4920831240234483', 'EU', 1520.22, '2024-02-12 17:17:00+00'),
    (30, 'Sofia Rossi', 'sofia.rossi@example.com', '+1 415 8477384', '4824504000883873', 'US', 4900.22, '2024-07-23 08:30:00+00'),
    (31, 'Marta Miller', 'marta.miller@example.eu', '+49 30 8500347', '4167868433532650', 'EU', 4388.22, '2024-12-06 09:43:00+00'),
    (32, 'Tom Schmidt', 'tom.schmidt@example.eu', '+49 30 3177994', '4014620168493407', 'EU', 971.77, '2024-05-17 10:56:00+00'),
    (33, 'Nina Johnson', 'nina.johnson@example.com', '+1 415 3642964', '4470455853043520', 'US', 1758.10, '2024-10-28 11:09:00+00'),
    (34, 'Igor Clark', 'igor.clark@example.eu', '+49 30 7402632', '4174833801412690', 'EU', 2065.58, '2024-03-11 12:22:00+00'),
    (35, 'Lea Jensen', 'lea.jensen@example.com', '+1 415 1377389', '4443198296572492', 'US', 229.57, '2024-08-22 13:35:00+00'),
    (36, 'Mark Moore', 'mark.moore@example.com', '+1 415 9606396', '4682889093100251', 'US', 1974.56, '2024-01-05 14:48:00+00');

CREATE TABLE public.orders (
    id          integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES public.customers (id),
    ordered_at  timestamptz NOT NULL,
    amount      numeric(10,2) NOT NULL,
    status      text NOT NULL
);

-- Two to three orders per customer, deterministic.
INSERT INTO public.orders (id, customer_id, ordered_at, amount, status)
SELECT row_number() OVER (ORDER BY c.id, n),
       c.id,
       c.created_at + make_interval(days => 3 * n + c.id % 5),
       round((10 + (c.id * 37 + n * 91) % 400) + ((c.id * n) % 100) / 100.0, 2),
       (ARRAY['paid', 'shipped', 'refunded'])[1 + (c.id + n) % 3]
FROM public.customers c
CROSS JOIN generate_series(1, 2 + c.id % 2) AS n;

-- A payout ledger that no product grants to anyone (a product without `access`).
CREATE TABLE public.payouts (
    id          integer PRIMARY KEY,
    customer_id integer NOT NULL REFERENCES public.customers (id),
    iban        text NOT NULL,
    amount      numeric(10,2) NOT NULL
);
INSERT INTO public.payouts
SELECT id, id, 'DE89 3704 0044 0532 0130 ' || lpad(id::text, 2, '0'), balance / 10
FROM public.customers WHERE id % 4 = 0;

CREATE TABLE crm.campaigns (
    id        integer PRIMARY KEY,
    name      text NOT NULL,
    channel   text NOT NULL,
    region    text NOT NULL,
    budget    numeric(10,2) NOT NULL,
    starts_on date NOT NULL
);
INSERT INTO crm.campaigns VALUES
    (1, 'Spring sale',       'email',  'EU', 12000.00, '2024-03-01'),
    (2, 'Back to school',    'social', 'US', 30000.00, '2024-08-15'),
    (3, 'Black Friday',      'email',  'EU', 45000.00, '2024-11-25'),
    (4, 'Black Friday US',   'search', 'US', 60000.00, '2024-11-25'),
    (5, 'Loyalty programme', 'email',  'EU',  8000.00, '2024-01-10');

-- Leads: some are existing customers (same e-mail), so the hashed e-mail joins across domains.
CREATE TABLE crm.leads (
    id          integer PRIMARY KEY,
    campaign_id integer NOT NULL REFERENCES crm.campaigns (id),
    email       text NOT NULL,
    full_name   text NOT NULL,
    region      text NOT NULL,
    score       integer NOT NULL,
    created_at  timestamptz NOT NULL
);
INSERT INTO crm.leads (id, campaign_id, email, full_name, region, score, created_at)
SELECT c.id, 1 + c.id % 5, c.email, c.name, c.region, (c.id * 17) % 100, c.created_at - interval '20 days'
FROM public.customers c WHERE c.id % 2 = 0
UNION ALL
SELECT 100 + n, 1 + n % 5, 'prospect' || n || '@example.org', 'Prospect ' || n,
       CASE WHEN n % 2 = 0 THEN 'EU' ELSE 'US' END, (n * 29) % 100,
       timestamptz '2024-06-01 12:00+00' + make_interval(days => n)
FROM generate_series(1, 14) AS n;

ANALYZE;
