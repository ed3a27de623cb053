/**
 * Strings attackers send, by family. Every one is safe to store: none holds a NUL byte, which PostgreSQL's text
 * refuses (see the fuzz suite for where that leaves us).
 */
export const HOSTILE_STRINGS: Record<string, string[]> = {
  sql: [
    "' OR '1'='1",
    "'; DROP TABLE users; --",
    "1' UNION SELECT password_hash FROM users --",
    "admin'--",
    '1; SELECT pg_sleep(5)',
    "\\'; SELECT 1; --",
    '%',
    '_',
    '\\',
  ],
  script: [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    'javascript:alert(1)',
    '<svg/onload=alert(1)>',
  ],
  injection: [
    '${7*7}',
    '{{7*7}}',
    '${jndi:ldap://127.0.0.1:1/a}',
    '$(id)',
    '`id`',
    '../../../../etc/passwd',
    '..%2f..%2fetc%2fpasswd',
    '%s%s%s%n',
    '{"$ne":null}',
    'a\r\nX-Injected: 1',
  ],
  unicode: [
    '\u202Egnp.exe',
    'ｅｘａｍｐｌｅ',
    'Z\u0337\u0349\u0353a\u0338l\u0336g\u0336o',
    '😀👩‍👩‍👧‍👦',
    '\uFEFF\u200B\u200D',
    'İıßﬁ',
    'a\ud800b',
    '\u001b[31mred',
  ],
};

export const ALL_HOSTILE_STRINGS = Object.values(HOSTILE_STRINGS).flat();

/** Values that are not UUIDs, for path and body fields that want one. */
export const NOT_UUIDS = [
  'not-a-uuid',
  '1',
  '-1',
  'null',
  'undefined',
  "' OR '1'='1",
  '1;DROP TABLE boards',
  '00000000-0000-0000-0000-00000000000g',
  '7d444840-9dc0-11d1-b245-5ffdce74fad2-0',
  '{7d444840-9dc0-11d1-b245-5ffdce74fad2}',
  '7d4448409dc011d1b2455ffdce74fad2x',
  '<script>alert(1)</script>',
  '../../../etc/passwd',
  '😀',
  'a'.repeat(150),
];

/** Values that are not email addresses; some would smuggle mail headers or markup. */
export const NOT_EMAILS = [
  'not-an-email',
  "' OR '1'='1",
  'a@',
  '@example.com',
  'a@@example.com',
  'a b@example.com',
  'victim@example.com\r\nBcc: attacker@example.com',
  '<script>alert(1)</script>@example.com',
  `${'x'.repeat(250)}@example.com`,
];

/** Email-shaped strings that pass as addresses but carry a payload: they may reach queries, never break them. */
export const HOSTILE_EMAILS = [
  "admin'--@example.com",
  "o'brien@example.com",
  '"<script>alert(1)</script>"@example.com',
  'аdmin@exаmple.com',
  'ADMIN@EXAMPLE.COM',
  '%@example.com',
];

/** Times that are not ISO-8601 with a time zone, or not real. */
export const NOT_TIMES = [
  'tomorrow',
  '2026-02-30T09:00:00Z',
  '2026-12-01',
  '2026-12-01T25:61:00Z',
  '2026-12-01T09:00:00',
  '+275760-09-13T00:00:00Z',
  "2026-12-01T09:00:00Z' OR '1'='1",
  '1e10',
];

/** JSON nested `depth` levels deep (objects), as text. */
export const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** JSON nested `depth` levels deep (arrays), as text. */
export const deepArray = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
