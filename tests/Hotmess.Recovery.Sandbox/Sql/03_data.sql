-- Rows for every table except the bulk ones (message, analytics_event). Ids are md5-derived uuids, so the
-- same size always yields the same ids and foreign keys need no lookups. Timestamps run up to now().
-- psql variables: users, beacons, products, orders, tickets, consents, connections, reports.

CREATE TEMPORARY TABLE sample_name (n integer PRIMARY KEY, first_name text NOT NULL) ON COMMIT DROP;
INSERT INTO sample_name
SELECT n, name
FROM unnest(ARRAY['Alex', 'Zoë', 'José', 'Björn', 'Saoirse', 'Nguyễn', 'Łukasz', 'Aiyana',
                  'Kwame', 'Mei 美玲', 'Dmitri', 'Chloé', 'Ravi', 'Ana', 'Søren', 'Fatima']) WITH ORDINALITY AS t (name, n);

INSERT INTO auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at, last_sign_in_at,
                        raw_app_meta_data, raw_user_meta_data, is_super_admin, phone, created_at, updated_at)
SELECT '00000000-0000-0000-0000-000000000000',
       md5('user:' || i)::uuid,
       'authenticated',
       'authenticated',
       'user' || i || '@hotmess.example',
       '$2a$10$' || substr(encode(sha256(convert_to('password:' || i, 'UTF8')), 'base64'), 1, 53),
       CASE WHEN i % 7 = 0 THEN NULL ELSE t + interval '10 minutes' END,
       t + (now() - t) / 2,
       jsonb_build_object('provider', 'email', 'providers', jsonb_build_array('email')),
       jsonb_build_object('full_name', nm.first_name || ' ' || i, 'locale', (ARRAY['en-GB', 'es-ES', 'de-DE', 'pl-PL'])[1 + i % 4]),
       false,
       CASE WHEN i % 3 = 0 THEN '+4477' || lpad(i::text, 8, '0') END,
       t,
       t
FROM (SELECT i, now() - make_interval(secs => (:users - i) * 2592000.0 / :users) AS t
      FROM generate_series(1, :users) AS i) AS s
JOIN sample_name nm ON nm.n = 1 + s.i % 16;

INSERT INTO public."User" (id, username, display_name, email, bio, avatar_url, interests, settings, is_verified,
                           last_seen_at, created_at, updated_at, deleted_at)
SELECT u.id,
       'user_' || s.i,
       CASE WHEN s.i % 11 = 0 THEN NULL ELSE nm.first_name || ' ' || s.i END,
       u.email,
       CASE s.i % 5
           WHEN 0 THEN NULL
           WHEN 1 THEN 'Out tonight 🌈✨ — find me at the bar'
           WHEN 2 THEN 'Café, techno & late nights in Londres'
           WHEN 3 THEN ''
           ELSE 'Organiser of ' || (s.i % 9 + 1) || ' events'
       END,
       CASE WHEN s.i % 4 = 0 THEN NULL ELSE 'avatars/' || u.id || '.jpg' END,
       CASE WHEN s.i % 4 = 0 THEN '{}'::text[]
            ELSE ARRAY[(ARRAY['music', 'nightlife', 'art', 'fitness', 'fashion', 'travel'])[1 + s.i % 6],
                       (ARRAY['drag', 'film', 'food', 'books'])[1 + s.i % 4]]
       END,
       jsonb_build_object('notifications', s.i % 2 = 0, 'theme', (ARRAY['dark', 'light', 'system'])[1 + s.i % 3],
                          'radius_km', 1 + s.i % 25),
       s.i % 3 = 0,
       CASE WHEN s.i % 6 = 0 THEN NULL ELSE u.last_sign_in_at END,
       u.created_at,
       u.created_at + (now() - u.created_at) / 3,
       CASE WHEN s.i % 50 = 0 THEN u.created_at + (now() - u.created_at) / 2 END
FROM generate_series(1, :users) AS s (i)
JOIN auth.users u ON u.id = md5('user:' || s.i)::uuid
JOIN sample_name nm ON nm.n = 1 + s.i % 16;

INSERT INTO public."Beacon" (id, owner_id, kind, title, description, latitude, longitude, starts_at, ends_at, tags,
                             metadata, created_at, updated_at)
SELECT md5('beacon:' || i)::uuid,
       CASE WHEN i % 13 = 0 THEN NULL ELSE md5('user:' || (1 + (i * 7) % :users))::uuid END,
       (enum_range(NULL::public.beacon_kind))[1 + i % 5],
       (ARRAY['Warehouse rave', 'Drag brunch', 'Pride picnic', 'Late bar', 'Queer book club', 'Safe walk home'])[1 + i % 6]
           || ' #' || i,
       CASE WHEN i % 4 = 0 THEN NULL ELSE 'Doors at ' || (18 + i % 6) || ':00 · bring a friend 💃' END,
       51.45 + ((i * 37) % 1000) / 10000.0,
       -0.20 + ((i * 53) % 1000) / 5000.0,
       t + interval '2 days',
       CASE WHEN i % 6 = 0 THEN NULL ELSE t + interval '2 days 6 hours' END,
       CASE WHEN i % 3 = 0 THEN '{}'::text[] ELSE ARRAY['london', (ARRAY['club', 'outdoor', 'community'])[1 + i % 3]] END,
       CASE WHEN i % 5 = 0 THEN NULL ELSE jsonb_build_object('capacity', 50 + i % 400, 'accessible', i % 2 = 0) END,
       t,
       t
FROM (SELECT i, now() - make_interval(secs => (:beacons - i) * 1209600.0 / :beacons) AS t
      FROM generate_series(1, :beacons) AS i) AS s;

INSERT INTO public.product (id, seller_id, name, description, price, currency, stock, image_paths, thumbnail,
                            created_at, updated_at)
SELECT md5('product:' || i)::uuid,
       md5('user:' || (1 + (i * 11) % :users))::uuid,
       (ARRAY['Harness', 'Glitter pack', 'Tote bag', 'Club tee', 'Zine', 'Poster'])[1 + i % 6] || ' ' || i,
       CASE WHEN i % 3 = 0 THEN NULL ELSE 'Limited run — édition spéciale' END,
       5 + ((i * 317) % 20000) / 100.0,
       CASE WHEN i % 10 = 0 THEN 'EUR' ELSE 'GBP' END,
       (i * 7) % 40,
       CASE WHEN i % 5 = 0 THEN '{}'::text[]
            ELSE ARRAY['products/' || md5('product:' || i)::uuid || '/1.jpg', 'products/' || md5('product:' || i)::uuid || '/2.jpg'] END,
       -- A PNG signature followed by deterministic bytes stands in for a thumbnail.
       CASE WHEN i % 9 = 0 THEN NULL
            ELSE '\x89504e470d0a1a0a'::bytea || decode(md5('thumbnail:' || i) || md5('thumbnail2:' || i), 'hex') END,
       t,
       t
FROM (SELECT i, now() - make_interval(secs => (:products - i) * 2592000.0 / :products) AS t
      FROM generate_series(1, :products) AS i) AS s;

INSERT INTO public.marketplace_order (id, buyer_id, product_id, quantity, unit_price, currency, status,
                                      stripe_payment_intent, shipping_address, created_at, updated_at)
SELECT md5('order:' || i)::uuid,
       CASE WHEN i % 17 = 0 THEN NULL ELSE md5('user:' || (1 + (i * 13) % :users))::uuid END,
       md5('product:' || (1 + (i * 5) % :products))::uuid,
       1 + i % 3,
       3 + ((i * 131) % 9000) / 100.0,
       CASE WHEN i % 10 = 0 THEN 'EUR' ELSE 'GBP' END,
       (enum_range(NULL::public.order_status))[1 + i % 6],
       CASE WHEN i % 6 = 0 THEN NULL ELSE 'pi_' || substr(md5('order:' || i), 1, 24) END,
       CASE WHEN i % 4 = 0 THEN NULL
            ELSE jsonb_build_object('line1', i || ' Old Compton Street', 'city', 'London', 'postcode', 'W1D ' || (i % 9) || 'JN',
                                    'country', 'GB') END,
       t,
       t + (now() - t) / 4
FROM (SELECT i, now() - make_interval(secs => (:orders - i) * 1814400.0 / :orders) AS t
      FROM generate_series(1, :orders) AS i) AS s;

INSERT INTO public.support_tickets (id, user_id, subject, body, status, priority, tags, created_at, updated_at, resolved_at)
SELECT md5('ticket:' || i)::uuid,
       CASE WHEN i % 9 = 0 THEN NULL ELSE md5('user:' || (1 + (i * 3) % :users))::uuid END,
       (ARRAY['Refund request', 'Cannot log in', 'Report a profile', 'Beacon not showing', 'Delete my account'])[1 + i % 5],
       'Hi team, ' || (ARRAY['my order has not arrived.', 'the app crashes on start.', 'someone is harassing me.',
                              'I was charged twice — ¿me ayudan?'])[1 + i % 4],
       (enum_range(NULL::public.ticket_status))[1 + i % 4],
       1 + i % 5,
       CASE WHEN i % 2 = 0 THEN '{}'::text[] ELSE ARRAY['billing'] END,
       t,
       t,
       CASE WHEN i % 4 IN (2, 3) THEN t + (now() - t) / 2 END
FROM (SELECT i, now() - make_interval(secs => (:tickets - i) * 2592000.0 / :tickets) AS t
      FROM generate_series(1, :tickets) AS i) AS s;

INSERT INTO public.gdpr_consents (id, user_id, consent_type, granted, policy_version, ip_address, user_agent, created_at)
SELECT md5('consent:' || i)::uuid,
       md5('user:' || (1 + (i - 1) % :users))::uuid,
       (ARRAY['terms', 'marketing', 'analytics', 'location'])[1 + i % 4],
       i % 5 <> 0,
       '2025-' || lpad((1 + i % 12)::text, 2, '0'),
       CASE WHEN i % 8 = 0 THEN NULL ELSE ('10.' || (i / 65536) % 256 || '.' || (i / 256) % 256 || '.' || i % 256)::inet END,
       CASE WHEN i % 2 = 0 THEN 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X)' ELSE 'HOTMESS/3.2 (Android 15)' END,
       now() - make_interval(secs => (:consents - i) * 2592000.0 / :consents)
FROM generate_series(1, :consents) AS i;

-- Each round k makes every user follow the user k+1 places further on, so pairs never repeat.
INSERT INTO public.social_connection (follower_id, followee_id, created_at)
SELECT md5('user:' || (1 + (i - 1) % :users))::uuid,
       md5('user:' || (1 + ((i - 1) % :users + 1 + (i - 1) / :users) % :users))::uuid,
       now() - make_interval(secs => (:connections - i) * 1209600.0 / :connections)
FROM generate_series(1, :connections) AS i;

INSERT INTO public.moderation_report (id, reporter_id, reported_user_id, reason, action_taken, created_at)
SELECT md5('report:' || i)::uuid,
       md5('user:' || (1 + (i * 3) % :users))::uuid,
       md5('user:' || (1 + (i * 5 + 1) % :users))::uuid,
       (ARRAY['Harassment in messages', 'Fake profile', 'Unsafe beacon', 'Spam'])[1 + i % 4],
       CASE WHEN i % 2 = 0 THEN 'warning sent' END,
       now() - make_interval(secs => (:reports - i) * 2592000.0 / :reports)
FROM generate_series(1, :reports) AS i;

-- A released hold: it no longer exempts anything.
INSERT INTO public.legal_hold (id, user_id, reason, placed_at, released_at)
VALUES (md5('hold:sample')::uuid, md5('user:1')::uuid, 'Chargeback dispute', now() - interval '20 days', now() - interval '10 days');

INSERT INTO public.analytics_daily (day, event_name, events)
SELECT (now() - interval '3 years')::date + d, 'page_view', 100 + d
FROM generate_series(0, 6) AS d;

INSERT INTO public.app_setting (key, value, description) VALUES
    ('feature.beacons', '{"enabled": true, "maxRadiusKm": 25}', 'Beacon map'),
    ('feature.marketplace', '{"enabled": true, "currencies": ["GBP", "EUR"]}', 'Shop'),
    ('feature.safety_walk', '{"enabled": false}', NULL),
    ('copy.welcome', '{"en": "Welcome to HOTMESS 🌈", "es": "Bienvenide a HOTMESS", "de": "Willkommen bei HOTMESS"}', 'Onboarding text'),
    ('retention.transactions_years', '7', 'Legal requirement'),
    ('retention.support_tickets_years', '3', NULL),
    ('retention.analytics_years', '2', 'Aggregated'),
    ('deleted_user.placeholder', '{"username": "deleted_user"}', 'Owner of events whose creator deleted their account');
