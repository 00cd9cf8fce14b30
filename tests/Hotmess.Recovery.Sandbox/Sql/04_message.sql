-- One chunk of messages, rows first..last of total. psql variables: first, last, total, users.
INSERT INTO public.message (id, sender_id, recipient_id, thread_id, body, attachments, read_at, created_at, updated_at)
SELECT md5('message:' || i)::uuid,
       md5('user:' || (1 + (i * 7) % :users))::uuid,
       md5('user:' || (1 + (i * 7 + 1 + i % 5) % :users))::uuid,
       md5('thread:' || i % greatest(:users / 2, 1))::uuid,
       (ARRAY['Hey! Are you going tonight?', 'Running 10 min late 🙈', 'That set was unreal 🔥🔥',
              'Can you send me the address?', '¿Nos vemos en la puerta?', 'Danke für gestern ❤️',
              'Just bought the harness from your shop', 'Safe home? Text me when you get in',
              'Who is on the door list?', 'See you at the drag brunch, darling'])[1 + i % 10]
           || ' ' ||
       (ARRAY['Also, did you see the new beacon near Vauxhall?', 'My phone is on 3% so call if it dies.',
              'The queue is already round the block, come early.', 'Bringing Zoë and José with me.',
              'Let me know about the afterparty — I am in.', ''])[1 + (i / 10) % 6],
       CASE WHEN i % 10 = 0
            THEN jsonb_build_array(jsonb_build_object('bucket', 'uploads', 'path', 'messages/' || i || '.jpg',
                                                      'size', 1000 + (i * 97) % 500000, 'mime', 'image/jpeg'))
       END,
       CASE WHEN i % 3 = 0 THEN NULL ELSE least(t + interval '5 minutes', now()) END,
       t,
       t
FROM (SELECT i, now() - make_interval(secs => (:total - i) * 604800.0 / :total) AS t
      FROM generate_series(:first, :last) AS i) AS s;
